import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from .. import availability
from .tenancy import WEEKDAYS, Tenant, default_working_hours, validate_timezone


class Connection(models.Model):
    """One Unified connection a tenant authorized: an ATS, a company calendar, or one
    interviewer's personal calendar. Disconnecting keeps the row (and the mirrored history)
    but stops every call."""

    class Category(models.TextChoices):
        ATS = "ats", "ATS"
        CALENDAR = "calendar", "Calendar"

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnecting"
        DISCONNECTED = "disconnected", "Disconnected"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="connections")
    category = models.CharField(max_length=20, choices=Category.choices)
    integration_type = models.CharField(max_length=64)
    integration_name = models.CharField(max_length=200, blank=True)
    unified_id = models.CharField("Unified connection id", max_length=64, unique=True)
    permissions = models.JSONField(default=list, blank=True)
    # A personal calendar belongs to one interviewer; company-wide connections have none.
    interviewer = models.ForeignKey(
        "Interviewer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="personal_connections",
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    connected_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # What the vendor refused, learned from Unified's answers: {"interview_write": false, …};
    # for a calendar, "conference" (true/false) and "conference_label" ("Google Meet").
    capabilities = models.JSONField(default=dict, blank=True)
    # updated_gte for the next incremental sync: when the last successful one started.
    synced_until = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    # updated_gte for the next reconcile of this connection's ATS interviews.
    reconciled_until = models.DateTimeField(null=True, blank=True)
    webhooks_registered_at = models.DateTimeField(null=True, blank=True)
    # A calendar connection's calendars, as last listed: [{"id", "name", "timezone", …}].
    calendars = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["category", "connected_at"]
        indexes = [models.Index(fields=["tenant", "category", "status"])]

    def __str__(self):
        return f"{self.integration_name or self.integration_type} ({self.get_category_display()})"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def can(self, capability):
        """False once Unified said the vendor does not support it; True until then."""
        return self.capabilities.get(capability, True)

    def knows(self, capability):
        """Whether the vendor has answered for it yet (refused it, or done it once)."""
        return capability in self.capabilities

    @property
    def vendor(self):
        """The vendor as people name it: "Lever", "Microsoft Outlook"."""
        return self.integration_name or self.integration_type or self.get_category_display()

    # --- what an ATS holds of a booking, in words ------------------------------------------

    def ats_record_for_bookings(self):
        """What this ATS will hold of a booked session, as far as Convene knows: an
        interview, a note on the application ("activity") when it refused interviews, or
        nothing ("unavailable") when it refused notes too. The write-back decides the same
        way (`writeback._create_ats_interview`)."""
        if self.can("interview_write"):
            return "interview"
        if self.can("activity_write"):
            return "activity"
        return "unavailable"

    def ats_record_words(self, record):
        """(what, why) for a session's ATS record, for every page that says it: "a note on
        the application in Lever", "Lever does not accept interviews from Convene"."""
        vendor = self.vendor
        if record == "activity":
            return (
                f"a note on the application in {vendor}",
                f"{vendor} does not accept interviews from Convene",
            )
        if record == "unavailable":
            return (
                f"nothing in {vendor}",
                f"{vendor} accepts neither interviews nor notes from Convene",
            )
        return (f"the interview in {vendor}", "")

    def calendar_name(self, calendar_id):
        """A calendar's name as last listed by the provider; ids are for technical details."""
        for calendar in self.calendars:
            if calendar.get("id") == calendar_id:
                return calendar.get("name") or "a calendar without a name"
        return "a calendar missing from the last list (refresh the list)"


class Interviewer(models.Model):
    """A person who can sit on an interview: mirrored from the ATS's users (HRIS employees),
    edited by the tenant's admins."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="interviewers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    # The HRIS employee id Unified uses in interview.user_ids, scorecard.interviewer_id, …
    ats_user_id = models.CharField("ATS user id", max_length=128, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interviewer_profiles",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    working_hours = models.JSONField(default=default_working_hours)
    # {"2026-12-24": [], "2026-12-31": [["09:00", "12:00"]]}: days off or other hours.
    working_hours_exceptions = models.JSONField(default=dict, blank=True)
    # An admin's locks, per field: the interviewer may no longer edit that part of their
    # own availability on My profile (it shows as "Set by your admin"; a POST is refused).
    lock_timezone = models.BooleanField("only admins may change the time zone", default=False)
    lock_hours = models.BooleanField("only admins may change the working hours", default=False)
    lock_days_off = models.BooleanField("only admins may change the days off", default=False)
    lock_caps = models.BooleanField("only admins may change the limits", default=False)
    calendar_connection = models.ForeignKey(
        Connection,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_interviewers",
    )
    calendar_id = models.CharField(max_length=255, blank=True)
    # Their own video meeting room (a personal Zoom, Teams or Meet link): plans that meet
    # "in each interviewer's own room" use it.
    meeting_room_url = models.URLField(
        "Own meeting room link",
        max_length=500,
        blank=True,
        help_text="A personal Zoom, Teams or Meet room, for plans that meet in each "
        "interviewer’s own room.",
    )
    max_interviews_per_day = models.PositiveSmallIntegerField(null=True, blank=True, default=3)
    max_interviews_per_week = models.PositiveSmallIntegerField(null=True, blank=True, default=10)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "ats_user_id"],
                condition=~models.Q(ats_user_id=""),
                name="one_interviewer_per_ats_user",
            )
        ]
        indexes = [models.Index(fields=["tenant", "email"])]

    def __str__(self):
        return self.name

    LOCKS = ("lock_timezone", "lock_hours", "lock_days_off", "lock_caps")

    @property
    def all_locked(self):
        """Every part of their availability is the admin's: nothing for them to edit."""
        return all(getattr(self, name) for name in self.LOCKS)

    @property
    def calendar_name(self):
        """Their calendar as people know it (its name in the provider), not its id."""
        if self.calendar_connection is None:
            return ""
        return self.calendar_connection.calendar_name(self.calendar_id)

    @property
    def hours_summary(self):
        """ "Mon–Fri 09:00–17:00", or day by day when the days differ."""
        days = [", ".join(f"{a}–{b}" for a, b in ranges) for ranges in (self.working_hours or [])]
        groups = []  # [first day, last day, hours]
        for index, hours in enumerate(days):
            if hours and groups and groups[-1][2] == hours and groups[-1][1] == index - 1:
                groups[-1][1] = index
            elif hours:
                groups.append([index, index, hours])
        if not groups:
            return "no working hours"
        short = [d[:3] for d in WEEKDAYS]
        return "; ".join(
            f"{short[a]}{'–' + short[b] if b > a else ''} {hours}" for a, b, hours in groups
        )

    def engine_hours(self):
        """The working hours as the availability engine takes them (24:00 is midnight)."""

        def ranges(pairs):
            return tuple(
                (
                    dt.time.fromisoformat(a),
                    dt.time(0) if b == "24:00" else dt.time.fromisoformat(b),
                )
                for a, b in pairs
            )

        weekly = tuple(ranges(day) for day in (self.working_hours or [[]] * 7))
        exceptions = tuple(
            availability.DateHours(dt.date.fromisoformat(day), ranges(pairs))
            for day, pairs in sorted((self.working_hours_exceptions or {}).items())
        )
        return availability.WorkingHours(weekly=weekly, exceptions=exceptions)

    @property
    def has_calendar(self):
        return bool(
            self.calendar_connection_id
            and self.calendar_id
            and self.calendar_connection.status == Connection.Status.ACTIVE
        )

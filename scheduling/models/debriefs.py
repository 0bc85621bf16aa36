import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from .connections import Connection, Interviewer
from .interviews import Interview
from .tenancy import Tenant


class Debrief(models.Model):
    """The panel's meeting after an interview whose plan asks for one (scheduling.debriefs).

    No candidate, never in the ATS: one calendar event on the organizer's calendar with the
    panel as attendees, written by the outbox ("debrief.sync"), marked with its own ref so
    that webhooks and the reconcile never take it for a session's event.
    """

    class Status(models.TextChoices):
        FINDING = "finding", "Looking for a time"
        PROPOSED = "proposed", "Proposed: waiting for your confirmation"
        BOOKED = "booked", "Booked"
        NEEDS_TIME = "needs_time", "Needs a time"
        CANCELED = "canceled", "Canceled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="debrief")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINDING)
    # As the plan said when the interview was booked (a later edit of the plan does not
    # change a debrief already under way).
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    within_days = models.PositiveSmallIntegerField(default=2)
    auto_book = models.BooleanField(default=False)
    # The time proposed or booked, and the next ones that suit the panel (ISO starts).
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    alternatives = models.JSONField(default=list, blank=True)
    # Until when it should happen (the window's end), and why no time fits, in words.
    window_end = models.DateTimeField(null=True, blank=True)
    why = models.TextField(blank=True)
    panel = models.ManyToManyField(Interviewer, blank=True, related_name="debriefs")
    # The organizer's calendar holds the event.
    organizer = models.ForeignKey(
        Interviewer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar_connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar_id = models.CharField(max_length=255, blank=True)
    event_id = models.CharField(max_length=255, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Debrief of {self.interview}"

    @property
    def ref(self):
        """The marker in the event's notes: never a session's ref (`convene-session:`), so
        webhooks and the reconcile do not take it for an interview's event."""
        return f"convene-debrief:{self.pk}"

    @property
    def last_day(self):
        """The last moment of the window (its end is the midnight after its last day)."""
        return self.window_end - dt.timedelta(minutes=1) if self.window_end else None

    @property
    def window_words(self):
        """The window in words: "2 working days after the interview"."""
        if self.within_days == 0:
            return "the day of the interview"
        days = "working day" if self.within_days == 1 else "working days"
        return f"{self.within_days} {days} after the interview"

    @property
    def no_time_words(self):
        """When no time suits the panel: "within 2 working days after the interview", or
        "later on the day of the interview"."""
        if self.within_days == 0:
            return "later on the day of the interview"
        return f"within {self.window_words}"

    @property
    def is_booked(self):
        return self.status == self.Status.BOOKED

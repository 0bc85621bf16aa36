"""The ATS mirror: jobs, stages, candidates, applications and the ATS's own interviews, per
tenant and connection, keyed by Unified ids. Rows are upserted by candidates.sync; a record
that disappears from the ATS is marked `removed_at`, never silently dropped."""

import uuid

from django.db import models
from django.utils import timezone

from scheduling.lib import zones
from scheduling.models import Connection, Interviewer, InterviewPlan, Tenant


class MirroredQuerySet(models.QuerySet):
    def present(self):
        return self.filter(removed_at__isnull=True)


class Mirrored(models.Model):
    """Columns every mirrored record has."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=128)
    remote_created_at = models.DateTimeField(null=True, blank=True)
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = MirroredQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "remote_id"], name="%(app_label)s_%(class)s_unique_remote"
            )
        ]


class Job(Mirrored):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=32, blank=True)
    departments = models.JSONField(default=list, blank=True)
    locations = models.JSONField(default=list, blank=True)
    remote = models.BooleanField(null=True)
    recruiters = models.ManyToManyField(Interviewer, blank=True, related_name="recruiting_jobs")
    hiring_managers = models.ManyToManyField(Interviewer, blank=True, related_name="managed_jobs")

    class Meta(Mirrored.Meta):
        ordering = ["name"]

    def __str__(self):
        return self.name


class Stage(Mirrored):
    """A pipeline stage (Unified's AtsStatus); `job` is set when the ATS keeps stages per job."""

    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(max_length=32, blank=True)
    original_status = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta(Mirrored.Meta):
        ordering = ["position"]

    def __str__(self):
        return self.original_status or self.status


class Candidate(Mirrored):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=300)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    emails = models.JSONField(default=list, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=300, blank=True)
    company_name = models.CharField(max_length=300, blank=True)
    web_url = models.URLField(max_length=500, blank=True)

    class ZoneSource(models.TextChoices):
        BOOKING_PAGE = "booking", "detected on their booking page"
        RECRUITER = "recruiter", "set by a recruiter"
        ADDRESS = "address", "guessed from their address in the ATS"

    # The candidate's own zone (canonical IANA name) when known, and how Convene knows it
    # (`note_zone` keeps the better source).
    timezone = models.CharField(max_length=64, blank=True)
    timezone_source = models.CharField(max_length=10, choices=ZoneSource.choices, blank=True)
    # Where the ATS says they live: "Pune, Maharashtra, India".
    location = models.CharField(max_length=300, blank=True)

    class Meta(Mirrored.Meta):
        ordering = ["name"]
        indexes = [models.Index(fields=["tenant", "name"])]

    def __str__(self):
        return self.name

    @property
    def greeting_name(self):
        return self.first_name or self.name.split(" ")[0]

    # A source replaces the zone only from a source at least as sure: a guess never undoes
    # what a person said, and a browser merely opening the page does not undo a recruiter's
    # choice (the candidate choosing a zone there, or booking in it, does).
    _ZONE_RANK = {"": 0, "address": 1, "detected": 2, "recruiter": 3, "booking": 3}

    def note_zone(self, name, source, *, chosen=True):
        """Remember the candidate's zone (made canonical) from `source`, when it is at least
        as sure as what is known. `chosen=False`: the booking page's browser detected it
        without the candidate choosing it, which does not override a recruiter.
        Returns whether it changed."""
        name = zones.canonical(name) if zones.is_zone(name) else ""
        if not name:
            return False
        rank = self._ZONE_RANK["detected" if not chosen else source]
        if rank < self._ZONE_RANK.get(self.timezone_source, 0) or (
            self.timezone == name and self.timezone_source == source
        ):
            return False
        Candidate.objects.filter(pk=self.pk).update(timezone=name, timezone_source=source)
        self.timezone, self.timezone_source = name, source
        return True

    @classmethod
    def note_guessed_zones(cls, guesses):
        """Remember zones guessed from addresses ({candidate pk: zone}) in bulk, the way
        `note_zone` would: only where nothing surer is known."""
        by_zone = {}
        for pk, name in guesses.items():
            if zones.is_zone(name):
                by_zone.setdefault(zones.canonical(name), []).append(pk)
        weaker = [s for s, rank in cls._ZONE_RANK.items() if rank <= cls._ZONE_RANK["address"]]
        for name, pks in by_zone.items():
            cls.objects.filter(pk__in=pks, timezone_source__in=weaker).update(
                timezone=name, timezone_source=cls.ZoneSource.ADDRESS
            )

    def zone_name(self, default):
        """The candidate's zone when known, else `default` (the team's)."""
        return self.timezone if zones.is_zone(self.timezone) else zones.name_or(default)


class Application(Mirrored):
    """One candidate in one job's pipeline."""

    # The ATS is done with the candidate: their links stop working and nothing is booked.
    CLOSED_STATUSES = frozenset({"REJECTED", "DECLINED", "WITHDRAWN", "HIRED"})

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="applications")
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    # Unified's normalized status, or whatever unknown string the vendor sent.
    status = models.CharField(max_length=64, blank=True)
    original_status = models.CharField(max_length=200, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    # When Convene first saw the application in its current status ("days in stage").
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    owner_user_id = models.CharField(max_length=128, blank=True)

    class Meta(Mirrored.Meta):
        ordering = ["-stage_entered_at"]
        indexes = [
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "stage_entered_at"]),
            models.Index(fields=["tenant", "remote_updated_at"]),
        ]

    def __str__(self):
        return f"{self.candidate} – {self.job or 'no job'}"

    @property
    def stage_label(self):
        return self.original_status or self.status.replace("_", " ").title()

    @property
    def is_closed(self):
        return self.status in self.CLOSED_STATUSES


class RemoteInterview(Mirrored):
    """An interview as the ATS holds it (Unified's AtsInterview), whoever created it."""

    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="remote_interviews",
    )
    candidate = models.ForeignKey(
        Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=32, blank=True)
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    user_ids = models.JSONField(default=list, blank=True)
    location = models.CharField(max_length=500, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    external_event_xref = models.CharField(max_length=255, blank=True)
    # The calendar event it points to, as Convene last read it (from a calendar connection
    # of the tenant, or a calendar webhook): its times, whether it is canceled, and its
    # attendees [{"email", "user_id", "status", "organizer"}]. Empty status: not read (yet).
    event_status = models.CharField(max_length=20, blank=True)
    event_start_at = models.DateTimeField(null=True, blank=True)
    event_end_at = models.DateTimeField(null=True, blank=True)
    event_attendees = models.JSONField(default=list, blank=True)
    event_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(Mirrored.Meta):
        ordering = ["-start_at"]
        indexes = [
            models.Index(fields=["application", "start_at"]),
            models.Index(fields=["tenant", "external_event_xref"]),
        ]

    def __str__(self):
        return f"ATS interview {self.remote_id}"


class SyncRun(models.Model):
    """One sync of an ATS connection: its progress (polled by the page) and its outcome."""

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="sync_runs")
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        "scheduling.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The types still being read ("candidates, applications"), while it runs.
    current_object = models.CharField(max_length=64, blank=True)
    # Records written so far, and per object type ({"candidates": 80, …}): exactly what is
    # in the mirror, saved with each page in the page's own transaction.
    records_so_far = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    # Where to continue, per type: {"candidates": {"offset": 12300, "read": 12300,
    # "done": false}, …}; saved with each page, so a failed run is continued from there.
    cursor = models.JSONField(default=dict, blank=True)
    progressed_at = models.DateTimeField(null=True, blank=True)
    # What the sync covers, fixed by its first attempt and kept when it is continued: when
    # it began (the next incremental sync asks from there) and the `updated_gte` it asks
    # with (none: a full sync).
    begun_at = models.DateTimeField(null=True, blank=True)
    updated_since = models.DateTimeField(null=True, blank=True)
    resumed_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Records stored with what they had (odd fields), and the error that ended a failed run.
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One queued or running sync per connection, whoever asks for it.
            models.UniqueConstraint(
                fields=["connection"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_live_sync_per_connection",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} sync of {self.connection} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    # The object types a sync reads, as the progress names them.
    TYPE_LABELS = {
        "stages": "Pipeline stages",
        "jobs": "Jobs",
        "candidates": "Candidates",
        "applications": "Applications",
        "interviews": "Interviews in the ATS",
    }

    @property
    def progress(self):
        """Per object type: (label, records written so far, whether it is all read)."""
        return [
            (label, self.counts.get(name, 0), bool((self.cursor.get(name) or {}).get("done")))
            for name, label in self.TYPE_LABELS.items()
        ]

    # Read whole by every sync, changed or not: a sync of changes does not list them.
    ALWAYS_READ = ("stages", "interviewers")

    @property
    def changed_counts(self):
        """(name, count) of what the run brought in, leaving out the types with nothing (and,
        for a sync of changes, what every sync reads whole)."""
        skip = self.ALWAYS_READ if self.kind == self.Kind.INCREMENTAL else ()
        return [(n, count) for n, count in self.counts.items() if count and n not in skip]

    @property
    def steps_done(self):
        """Object types all read (of `len(TYPE_LABELS)`, then one step naming the people)."""
        return sum(1 for _label, _count, done in self.progress if done)

    @property
    def steps(self):
        return len(self.TYPE_LABELS) + 1

    @property
    def error_summary(self):
        """What stopped a failed run, in words (the error itself is the detail)."""
        if self.error.startswith("Unified refused or failed"):
            return "the ATS kept refusing or not answering Convene's requests"
        if self.error.startswith("Saving the records failed"):
            return "Convene could not save what it read"
        if "interrupted" in self.error:
            return "it was interrupted (the task worker stopped)"
        return self.error.rstrip(".") or "it stopped"


class BookingLink(models.Model):
    """A self-scheduling link sent to a candidate for one application and plan.

    The token in the URL signs only this row's id (no personal data); what the link may do
    follows from the row: open → the candidate may book; booked → they may see, reschedule
    or cancel; revoked or past `expires_at` → a plain page saying so. Only a booking POST
    changes the state, as a compare-and-swap on `version`.
    """

    class State(models.TextChoices):
        OPEN = "open", "Sent"
        BOOKED = "booked", "Booked"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="booking_links"
    )
    plan = models.ForeignKey(
        "scheduling.InterviewPlan", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    version = models.PositiveIntegerField(default=0)
    sent_to = models.EmailField()
    created_by = models.ForeignKey(
        "scheduling.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The days offered, as dates in the candidate's zone (inclusive).
    window_start = models.DateField()
    window_end = models.DateField()
    expires_at = models.DateTimeField()
    interview = models.ForeignKey(
        "scheduling.Interview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["application", "state", "expires_at"]),
            # The reports: links sent, and links booked, in a period.
            models.Index(fields=["tenant", "sent_at"]),
            models.Index(fields=["tenant", "booked_at", "sent_at", "application", "plan"]),
        ]

    def __str__(self):
        return f"Booking link for {self.application.candidate} ({self.get_state_display()})"

    def is_expired(self, now):
        return self.state == self.State.OPEN and now >= self.expires_at

    def status(self, now):
        """open / opened / booked / canceled / expired / revoked, for the recruiter's eyes
        (canceled: it booked an interview that was canceled since)."""
        if self.state == self.State.OPEN:
            if self.is_expired(now):
                return "expired"
            return "opened" if self.open_count else "open"
        if self.state == self.State.BOOKED and self.interview and not self.interview.is_active:
            return "canceled"
        return self.state


class LinkVisit(models.Model):
    """One opening of a booking link (mail scanners included: they never change anything)."""

    link = models.ForeignKey(BookingLink, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8)
    # Coarse on purpose: the network, not the person (a /24 or /48 prefix).
    network = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.method} {self.at:%Y-%m-%d %H:%M}"


class AvailabilityRequest(models.Model):
    """The times a candidate can do, asked for when no offered time works.

    It rides on a booking link, whose token, expiry, revocation, visits and rate limits it
    shares (candidates.links): a recruiter's request is a link sent for it; the booking
    page's "None of these work" adds one to the link the candidate already has. The
    candidate may change their times until a recruiter books inside them (`used_at`), which
    books through the same link, so the candidate's page then shows the interview.
    """

    class Origin(models.TextChoices):
        RECRUITER = "recruiter", "asked by a recruiter"
        BOOKING_PAGE = "booking", "offered from their booking page"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="availability_requests"
    )
    link = models.OneToOneField(
        BookingLink, on_delete=models.CASCADE, related_name="availability_request"
    )
    origin = models.CharField(max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # The zone the candidate gave their times in (their windows keep it each, too).
    zone_name = models.CharField(max_length=64, blank=True)
    note = models.TextField(blank=True, max_length=1000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    interview = models.ForeignKey(
        "scheduling.Interview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["application", "submitted_at"])]

    def __str__(self):
        return f"Availability of {self.application.candidate} ({self.status(None)})"

    def status(self, now):
        """waiting / received / used / expired / revoked, for the recruiter's eyes."""
        if self.used_at:
            return "used"
        if self.link.state == BookingLink.State.REVOKED:
            return "revoked"
        if now is not None and self.link.is_expired(now):
            return "expired"
        if self.link.state == BookingLink.State.BOOKED:
            return "used"  # the candidate booked a time themselves after all
        return "received" if self.submitted_at else "waiting"


class AvailabilityWindow(models.Model):
    """One stretch of time the candidate can do: instants in UTC, and the zone they gave it
    in (to show it again on their clock, whatever their zone is later)."""

    request = models.ForeignKey(
        AvailabilityRequest, on_delete=models.CASCADE, related_name="windows"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    zone_name = models.CharField(max_length=64)

    class Meta:
        ordering = ["start_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gt=models.F("start_at")),
                name="availability_window_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.start_at:%Y-%m-%d %H:%M}–{self.end_at:%H:%M} UTC"


class StageEntry(models.Model):
    """One actual move of an application into a plan's stage, and what autopilot does about
    it (candidates.autopilot): wait for the delay, send the plan's link or request (or queue
    it for a recruiter's one click), or say in words why it did not. The same application
    moving back and forth is one entry per move; the unique constraint means one entry is
    never acted on twice."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the delay"
        QUEUED = "queued", "Queued for a recruiter"
        SENT = "sent", "Sent"
        BOOKED = "booked", "Booked"
        SKIPPED = "skipped", "Not sent"
        HELD = "held", "Held: daily cap reached"
        RETURNED = "returned", "Back with the recruiter"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="stage_entries"
    )
    plan = models.ForeignKey(InterviewPlan, on_delete=models.CASCADE, related_name="+")
    # The application's stage_entered_at for this move.
    entered_at = models.DateTimeField()
    # entered_at + the plan's delay, pushed into the candidate's reasonable hours.
    due_at = models.DateTimeField()
    # The plan's rule when the application entered.
    action = models.CharField(max_length=20, choices=InterviewPlan.Autopilot.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    # In words: why it was not sent, held or returned.
    reason = models.CharField(max_length=300, blank=True)
    link = models.ForeignKey(
        BookingLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    availability_request = models.ForeignKey(
        AvailabilityRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    # None with sent_at: sent by autopilot; a user: the queue's one-click send.
    sent_by = models.ForeignKey(
        "scheduling.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The interview that booked it (candidates.autopilot_follow): the feed reads its time.
    interview = models.ForeignKey(
        "scheduling.Interview", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-entered_at"]
        verbose_name_plural = "stage entries"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "plan", "entered_at"], name="one_entry_per_stage_move"
            )
        ]
        indexes = [models.Index(fields=["tenant", "state", "due_at"])]

    def __str__(self):
        return f"{self.application} entered {self.plan} ({self.get_state_display()})"


class AutopilotEvent(models.Model):
    """A line of what autopilot did (the pipeline's feed), written with its audit entry by
    `candidates.autopilot.record`."""

    class Kind(models.TextChoices):
        ENTERED = "entered", "Entered a stage"
        SENT_LINK = "sent_link", "Sent a booking link"
        SENT_REQUEST = "sent_request", "Asked for times"
        QUEUED = "queued", "Queued"
        SKIPPED = "skipped", "Not sent"
        HELD = "held", "Held"
        BOOKED = "booked", "Booked"
        WAITING = "waiting", "Waiting for an answer"
        RETURNED = "returned", "Back with the recruiter"
        PAUSED = "paused", "Paused"
        RESUMED = "resumed", "Resumed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(
        StageEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    plan = models.ForeignKey(
        InterviewPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["tenant", "at"])]

    def __str__(self):
        return self.text

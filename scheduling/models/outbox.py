import uuid

from django.db import models

from .interviews import Interview, InterviewSession
from .tenancy import Tenant


class Operation(models.Model):
    """One write to Unified (or one email) that a change in Convene owes the outside world.

    Written in the same transaction as the change, performed afterwards by a task, retried
    with backoff, and shown with its error when it keeps failing. Each kind is idempotent:
    an operation that succeeded is never performed again, and a retry after an unclear
    failure first looks for what the earlier attempt may have created.
    """

    class Kind(models.TextChoices):
        CREATE_EVENT = "event.create", "Create the calendar event"
        UPDATE_EVENT = "event.update", "Update the calendar event"
        CANCEL_EVENT = "event.cancel", "Remove the calendar event"
        CREATE_ATS_INTERVIEW = "ats_interview.create", "Create the ATS interview"
        UPDATE_ATS_INTERVIEW = "ats_interview.update", "Update the ATS interview"
        CANCEL_ATS_INTERVIEW = "ats_interview.cancel", "Cancel the ATS interview"
        SYNC_CANDIDATE_EVENTS = (
            "candidate_event.sync",
            "Update the candidate’s own calendar event",
        )
        CREATE_SCORECARD = "scorecard.create", "File the scorecard in the ATS"
        NOTE_ATTENDANCE = "ats_note.attendance", "Note who did not attend in the ATS"
        FIND_DEBRIEF = "debrief_time.find", "Find the debrief’s time"
        SYNC_DEBRIEF = "debrief.sync", "Update the debrief’s calendar event"
        SEND_EMAIL = "email.send", "Send an email"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="operations")
    interview = models.ForeignKey(
        Interview, null=True, blank=True, on_delete=models.CASCADE, related_name="operations"
    )
    session = models.ForeignKey(
        InterviewSession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="operations",
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # Another operation that must be done first (the ATS interview needs the event's id).
    depends_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # A runner holds the operation until then; past it, another may take over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # When a task to perform it was last queued: the sweep queues it again only when that
    # task seems lost (a restarted worker), not while it waits in the queue.
    queued_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    # --- in words, for the pages -------------------------------------------------------------

    _WHAT = {
        Kind.CREATE_EVENT: "the new calendar event",
        Kind.UPDATE_EVENT: "the change to the calendar event",
        Kind.CANCEL_EVENT: "the removal of the calendar event",
        Kind.CREATE_ATS_INTERVIEW: "the new interview",
        Kind.UPDATE_ATS_INTERVIEW: "the change to the interview",
        Kind.CANCEL_ATS_INTERVIEW: "the cancellation of the interview",
        Kind.SYNC_CANDIDATE_EVENTS: "the candidate’s calendar event",
        Kind.CREATE_SCORECARD: "the scorecard",
        Kind.NOTE_ATTENDANCE: "the note on who did not attend",
        Kind.FIND_DEBRIEF: "the search for the debrief’s time",
        Kind.SYNC_DEBRIEF: "the debrief’s calendar event",
        Kind.SEND_EMAIL: "an email",
    }

    _ATS_KINDS = (
        Kind.CREATE_ATS_INTERVIEW,
        Kind.UPDATE_ATS_INTERVIEW,
        Kind.CANCEL_ATS_INTERVIEW,
        Kind.CREATE_SCORECARD,
    )
    # The debrief's: its calendar event is on the organizer's calendar, never in the ATS.
    _DEBRIEF_KINDS = (Kind.FIND_DEBRIEF, Kind.SYNC_DEBRIEF)
    _AS_INTERVIEW = {
        Kind.CREATE_EVENT: "Create the calendar event in {vendor}",
        Kind.UPDATE_EVENT: "Update the calendar event in {vendor}",
        Kind.CANCEL_EVENT: "Remove the calendar event from {vendor}",
        Kind.CREATE_ATS_INTERVIEW: "Create the interview in {vendor}",
        Kind.UPDATE_ATS_INTERVIEW: "Update the interview in {vendor}",
        Kind.CANCEL_ATS_INTERVIEW: "Cancel the interview in {vendor}",
        Kind.CREATE_SCORECARD: "File the scorecard in {vendor}",
        Kind.NOTE_ATTENDANCE: "Note on the application in {vendor}: who did not attend",
    }
    _AS_NOTE = {
        Kind.CREATE_ATS_INTERVIEW: "interview scheduled",
        Kind.UPDATE_ATS_INTERVIEW: "interview moved",
        Kind.CANCEL_ATS_INTERVIEW: "interview canceled",
        Kind.CREATE_SCORECARD: "the feedback",
    }

    def _ats_record(self, conn):
        """What this ATS operation wrote (once done) or will write: "interview",
        "activity" (a note) or "unavailable" (nothing), after the write-back's results."""
        if self.status == self.Status.DONE:
            return (self.result or {}).get("ats_record") or "interview"
        if self.kind == self.Kind.CREATE_SCORECARD:
            if not conn.can("scorecard_write"):
                return "activity" if conn.can("activity_write") else "unavailable"
            return "interview"
        if self.session_id and self.session.ats_record in ("activity", "unavailable"):
            return self.session.ats_record
        return conn.ats_record_for_bookings()

    @property
    def words(self):
        """(what, why): the task list's line for the operation, naming the vendor and, for
        the ATS, what was really written ("Note on the application in Lever: interview
        scheduled", "Lever does not accept interviews from Convene")."""
        if self.is_email or self.kind in self._DEBRIEF_KINDS:
            return self.get_kind_display(), ""
        conn = None
        if self.kind.startswith("event.") and self.session_id:
            conn = self.session.calendar_connection
        elif self.interview_id:
            conn = self.interview.application.connection
        if conn is None:
            return self.get_kind_display(), ""
        if self.kind not in self._ATS_KINDS:
            return self._AS_INTERVIEW[self.kind].format(vendor=conn.vendor), ""
        record = self._ats_record(conn)
        scorecard = self.kind == self.Kind.CREATE_SCORECARD
        if record == "activity":
            what = f"Note on the application in {conn.vendor}: {self._AS_NOTE[self.kind]}"
            if scorecard:
                return what, f"{conn.vendor} does not accept scorecards from Convene"
            return what, conn.ats_record_words(record)[1]
        if record == "unavailable":
            if scorecard:
                why = f"{conn.vendor} accepts neither scorecards nor notes from Convene"
            else:
                why = conn.ats_record_words(record)[1]
            return f"Nothing written to {conn.vendor}", why
        return self._AS_INTERVIEW[self.kind].format(vendor=conn.vendor), ""

    @property
    def is_email(self):
        return self.kind == self.Kind.SEND_EMAIL

    @property
    def target_name(self):
        """Who was asked: the calendar's or the ATS's vendor ("Google Calendar",
        "Greenhouse"), or the mail server."""
        if self.is_email:
            return "The mail server"
        conn = None
        if self.kind.startswith("event.") and self.session_id:
            conn = self.session.calendar_connection
            fallback = "The calendar"
        elif self.kind == self.Kind.SYNC_CANDIDATE_EVENTS or self.kind in self._DEBRIEF_KINDS:
            conn = None
            fallback = "The calendar"
        else:
            fallback = "The ATS"
            if self.interview_id:
                conn = self.interview.application.connection
        return (conn.integration_name or conn.integration_type) if conn else fallback

    @property
    def what(self):
        """What was asked of it, in words: "the change to the calendar event for “Coding”"."""
        if self.is_email:
            return (self.payload or {}).get("about") or "an email"
        text = self._WHAT.get(self.kind, self.get_kind_display().lower())
        return f"{text} for “{self.session.title}”" if self.session_id else text

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
        Kind.SEND_EMAIL: "an email",
    }

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
        elif self.kind == self.Kind.SYNC_CANDIDATE_EVENTS:
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

import uuid

from django.db import models

from .connections import Interviewer
from .interviews import Interview, InterviewSession
from .outbox import Operation
from .tenancy import Tenant


class Reminder(models.Model):
    """One reminder before an interview, queued (scheduling.reminders decides when).

    Keyed by what it reminds of, whom, how long before, and the start it was for: the
    candidate's by the interview (its first session's start), an interviewer's by the
    session. A move makes new keys due and leaves the old rows, whose queued email is then
    skipped; the database refuses a second row of one key, so two runners never send one
    reminder twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="reminders")
    # An interviewer's reminder: the session and the person. Both empty: the candidate's.
    session = models.ForeignKey(
        InterviewSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    interviewer = models.ForeignKey(
        Interviewer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    minutes_before = models.PositiveIntegerField()
    # The start it reminds of (the interview's or the session's) and when it came due.
    for_start_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # The email in the outbox: its state is the reminder's (sent, waiting, skipped and why).
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "minutes_before", "for_start_at"],
                condition=models.Q(interviewer__isnull=True),
                name="one_candidate_reminder",
            ),
            models.UniqueConstraint(
                fields=["session", "interviewer", "minutes_before", "for_start_at"],
                condition=models.Q(interviewer__isnull=False),
                name="one_interviewer_reminder",
            ),
        ]

    def __str__(self):
        who = self.interviewer.name if self.interviewer_id else "the candidate"
        start = f"{self.for_start_at:%Y-%m-%d %H:%M}"
        return f"Reminder to {who}, {self.minutes_before} min before {start} UTC"

    @property
    def for_candidate(self):
        return self.interviewer_id is None

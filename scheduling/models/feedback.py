import uuid

from django.conf import settings
from django.db import models

from .connections import Interviewer
from .interviews import Interview, InterviewSession, SessionAttendee
from .tenancy import Tenant


class FeedbackRequest(models.Model):
    """One interviewer's feedback on one session, from the request to the scorecard in the ATS.

    Per session, not per interview: each session is its own ATS interview, with its own
    scorecards and its own AWAITING_FEEDBACK → COMPLETE. Someone who sat on two sessions of
    one interview is asked once per session. A trainee's is training feedback (`training`):
    kept in Convene, filed in the ATS only when their program says so (`goes_to_ats`).

    The feedback itself lives on the same row (it has no life without its request): drafts
    are saved here as the interviewer types, and the submission freezes them.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        DRAFT = "draft", "Draft saved"
        SUBMITTED = "submitted", "Submitted"
        # Not needed any more: the candidate, or this interviewer, did not attend the
        # session (a NoShow). Restored when the mark is cleared.
        WITHDRAWN = "withdrawn", "Not needed (did not attend)"

    class Recommendation(models.TextChoices):
        # Unified's AtsScorecard.recommendation enum (docs/unified.md §5.6).
        DEFINITELY_NO = "DEFINITELY_NO", "Definitely not"
        NO = "NO", "No"
        YES = "YES", "Yes"
        STRONG_YES = "STRONG_YES", "Strong yes"

    class AtsRecord(models.TextChoices):
        NONE = "", "Not filed yet"
        SCORECARD = "scorecard", "Scorecard"
        ACTIVITY = "activity", "Note on the application (the ATS takes no scorecards)"
        UNAVAILABLE = "unavailable", "Nothing (the ATS accepts neither)"

    # Per-question ratings, 1–4, so that there is no comfortable middle.
    RATINGS = [
        (1, "Strong concerns"),
        (2, "Some concerns"),
        (3, "Meets the bar"),
        (4, "Above the bar"),
    ]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    session = models.ForeignKey(
        InterviewSession, on_delete=models.CASCADE, related_name="feedback_requests"
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.PROTECT, related_name="feedback_requests"
    )
    # The plan's scorecard questions when the request was made: editing the plan later
    # does not move answers under other questions.
    questions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField()
    # From here on the feedback is late: reminders start, the recruiter sees it overdue.
    due_at = models.DateTimeField()
    # The emailed link stops working then (signed-in members can still give feedback).
    expires_at = models.DateTimeField()
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)

    # The feedback: saved as typed while a draft, frozen when submitted.
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    # One {"rating": 1–4 or null, "comment": str} per question, in the order of `questions`.
    answers = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The member who submitted while signed in; empty when it came through the emailed link.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Training feedback: a trainee's own, on a session they shadowed or led
    # (docs/design.md, "Training"). It is kept in Convene and holds no ATS status; the ATS
    # gets it only when the trainee's program says so.
    training = models.BooleanField("training feedback", default=False)
    trainee = models.ForeignKey(
        "Trainee",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_requests",
    )
    # On a trainer's feedback, when the program counts a session only once a trainer
    # approves it: for each trainee seat of the session this trainer judged, whether the
    # trainee did well enough for it to count ({"<seat id>": true or false}).
    trainee_verdicts = models.JSONField(default=dict, blank=True)

    # What the ATS holds of it, once the outbox filed it.
    ats_record = models.CharField(max_length=20, choices=AtsRecord.choices, blank=True)
    ats_record_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["requested_at", "interviewer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "interviewer"], name="one_feedback_request_per_person"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"]),
            models.Index(fields=["interviewer", "status"]),
            # The reports: feedback due in a period, read from the index alone.
            models.Index(fields=["tenant", "due_at", "interviewer", "submitted_at", "interview"]),
        ]

    def __str__(self):
        return f"Feedback from {self.interviewer} on {self.session}"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def ref(self):
        """The marker Convene puts in what it files in the ATS, to find a scorecard or note
        it may already have created when a create's answer was lost."""
        return f"convene-feedback:{self.pk}"

    @property
    def goes_to_ats(self):
        """Whether the submitted feedback is filed in the ATS: everyone's but a trainee's,
        unless their program sends training feedback too."""
        if not self.training:
            return True
        return bool(self.trainee_id and self.trainee.program.send_training_feedback_to_ats)

    def verdict_rows(self):
        """A trainer's verdicts as people read them: [(trainee's name, counts)]."""
        verdicts = self.trainee_verdicts or {}
        ids = [int(key) for key in verdicts if str(key).isdigit()]
        seats = SessionAttendee.objects.filter(pk__in=ids).select_related("interviewer")
        return sorted((seat.interviewer.name, bool(verdicts[str(seat.pk)])) for seat in seats)

    def is_expired(self, now):
        return now >= self.expires_at

    def rows(self):
        """[{"number", "text", "rating", "rating_label", "comment"}] for each question."""
        labels = dict(self.RATINGS)
        answers = list(self.answers or [])
        rows = []
        for index, text in enumerate(self.questions or []):
            answer = answers[index] if index < len(answers) else {}
            rating = answer.get("rating")
            rows.append(
                {
                    "number": index + 1,
                    "text": text,
                    "rating": rating,
                    "rating_label": labels.get(rating, ""),
                    "comment": answer.get("comment", ""),
                }
            )
        return rows

"""Training programs: interviewers who learn a kind of interview by shadowing, then leading
while a qualified interviewer shadows, until they qualify (docs/design.md, "Training").

The engine seats a program's trainees in the pools that name it (scheduling.slots and
scheduling.availability); counting and moving on live in scheduling.training.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .connections import Interviewer
from .interviews import SessionAttendee
from .tenancy import Tenant


class TrainingProgram(models.Model):
    """How a team trains interviewers for one kind of interview ("Coding interview")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="training_programs")
    name = models.CharField(max_length=200)
    shadow_count = models.PositiveSmallIntegerField("shadow sessions", default=2)
    reverse_shadow_count = models.PositiveSmallIntegerField("reverse-shadow sessions", default=1)
    # Reaching a stage's count moves the trainee on at once (False) or asks an admin (True).
    approval_required = models.BooleanField(
        "an admin approves each move to the next stage", default=False
    )
    # A session counts only once a trainer's feedback says it went well enough.
    trainer_approval_required = models.BooleanField(
        "a session counts only once the trainer's feedback approves it", default=False
    )
    # Trainees' own feedback is kept in Convene; True also sends it to the ATS.
    send_training_feedback_to_ats = models.BooleanField(
        "send trainees' feedback to the ATS", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="training_program_unique_name")
        ]

    def __str__(self):
        return self.name


class Trainee(models.Model):
    """One interviewer enrolled in one program, and where they stand in it."""

    class Stage(models.TextChoices):
        SHADOW = "shadow", "Shadowing"
        REVERSE_SHADOW = (
            "reverse_shadow",
            "Reverse shadowing (leads, a qualified interviewer shadows)",
        )
        QUALIFIED = "qualified", "Qualified"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(TrainingProgram, on_delete=models.CASCADE, related_name="trainees")
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.CASCADE, related_name="trainings"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SHADOW)
    # Reached the stage's count; an admin must approve the move on.
    awaiting_approval = models.BooleanField(default=False)
    # Paused or removed trainees are not seated.
    active = models.BooleanField(default=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    qualified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["program__name", "interviewer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "interviewer"], name="trainee_once_per_program"
            )
        ]

    def __str__(self):
        return f"{self.interviewer} in {self.program}"

    @property
    def is_seatable(self):
        """Whether the engine may seat them as a trainee now: enrolled, still learning (not
        qualified), not waiting for an admin's approval, and an active interviewer."""
        return (
            self.active
            and not self.awaiting_approval
            and self.stage in (self.Stage.SHADOW, self.Stage.REVERSE_SHADOW)
            and self.interviewer.active
        )

    @property
    def leads(self):
        """Whether they lead their seat (reverse shadow) rather than shadow."""
        return self.stage == self.Stage.REVERSE_SHADOW


class TrainingCredit(models.Model):
    """One session that counted toward a trainee's stage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="credits")
    attendee = models.OneToOneField(
        SessionAttendee, on_delete=models.CASCADE, related_name="training_credit"
    )
    stage = models.CharField(max_length=20, choices=Trainee.Stage.choices)
    counted_at = models.DateTimeField()

    class Meta:
        ordering = ["counted_at"]

    def __str__(self):
        return f"{self.trainee}: {self.attendee.session}"


class TrainingEvent(models.Model):
    """The trainee's history, newest first, in words."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        SEATED = "seated", "Seated in an interview"
        COUNTED = "counted", "A session counted"
        NOT_COUNTED = "not_counted", "A session did not count"
        ADVANCED = "advanced", "Moved to the next stage"
        APPROVAL_ASKED = "approval_asked", "Waiting for an admin's approval"
        APPROVED = "approved", "Approved by an admin"
        QUALIFIED = "qualified", "Qualified"
        CHANGED = "changed", "Stage set by an admin"
        REMOVED = "removed", "Removed from the program"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    trainee = models.ForeignKey(Trainee, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=300)
    # None: Convene itself.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return self.text

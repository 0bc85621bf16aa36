import uuid

from django.db import models

from .. import where
from ..lib import durations, labels
from .connections import Interviewer
from .tenancy import Tenant, candidate_hours_text


class DebriefPanel(models.TextChoices):
    LOOP = "loop", "The hiring manager and the interview’s interviewers"
    NAMED = "named", "These people"


class InterviewPlan(models.Model):
    """How a stage is interviewed: one or more sessions, their people and their rules.

    A plan applies to one job and stage, to every stage of a job, to one stage of every job,
    or (neither set) is the tenant's default; the most specific one wins.
    """

    class Order(models.TextChoices):
        FIXED = "fixed", "In the order listed"
        ANY = "any", "In any order"

    class Autopilot(models.TextChoices):
        """What happens when an application enters this plan's stage (candidates.autopilot)."""

        LINK = "link", "Send the booking link"
        AVAILABILITY = "availability", "Ask for the candidate’s times"
        QUEUE = "queue", "Queue it for a recruiter to send in one click"
        OFF = "off", "Do nothing"

    class Location(models.TextChoices):
        # where.KINDS says each in words; where.describe says them to the people reading.
        VIDEO = where.VIDEO, where.KINDS[0][1]
        ROOM = where.ROOM, where.KINDS[1][1]
        LINK = where.LINK, where.KINDS[2][1]
        OFFICE = where.OFFICE, where.KINDS[3][1]
        PHONE = where.PHONE, where.KINDS[4][1]
        CALL_US = where.CALL_US, where.KINDS[5][1]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=200)
    job = models.ForeignKey(
        "candidates.Job", null=True, blank=True, on_delete=models.CASCADE, related_name="plans"
    )
    # The stage this plan is for: Unified's normalized application status ("" means any
    # stage) and, when the plan is for one of the ATS's own stages, its name as the ATS
    # spells it ("Face to Face"; "" means every stage of that status). `plans.plan_for`.
    stage_status = models.CharField(max_length=32, blank=True)
    stage_name = models.CharField(max_length=200, blank=True)
    order = models.CharField(max_length=10, choices=Order.choices, default=Order.FIXED)
    break_minutes = models.PositiveSmallIntegerField(
        default=0, help_text="Between sessions; 0 means back to back."
    )
    location_kind = models.CharField(
        max_length=10, choices=Location.choices, default=Location.VIDEO
    )
    location_detail = models.CharField(
        max_length=500, blank=True, help_text="The link, address or phone number."
    )
    # An office's arrival notes (the floor, whom to ask for), or anything the candidate
    # should know about the call.
    location_notes = models.TextField(blank=True)
    agenda = models.TextField(blank=True, help_text="Goes into the calendar event's notes.")
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    minimum_notice_hours = models.PositiveSmallIntegerField(default=24)
    horizon_days = models.PositiveSmallIntegerField(default=21)
    slot_step_minutes = models.PositiveSmallIntegerField(default=15)
    # What the candidate may see of the panel on the booking page.
    show_interviewer_names = models.BooleanField(
        default=True, help_text="Show the interviewers' first names to the candidate."
    )
    # When it is reasonable to interview the candidate, on their clock; all three empty: the
    # team's (Tenant.candidate_hours_*). `candidate_hours()` resolves them.
    candidate_hours_start = models.TimeField(null=True, blank=True)
    candidate_hours_end = models.TimeField(null=True, blank=True)
    candidate_days = models.JSONField(null=True, blank=True)
    # Whether the candidate gets the team's reminders before an interview of this plan.
    candidate_reminders = models.BooleanField(
        "remind the candidate before the interview",
        default=True,
        help_text="At the times set in the team’s settings.",
    )
    # Changes within limits: empty, the team's (Tenant; resolved by Interview's
    # candidate_changes, the one home of what the candidate may still change).
    candidate_reschedule_limit = models.PositiveSmallIntegerField(
        "candidates may reschedule online (times)", null=True, blank=True
    )
    candidate_change_cutoff_hours = models.PositiveSmallIntegerField(
        "candidates may reschedule or cancel until (hours before)", null=True, blank=True
    )
    cancel_reason_required = models.BooleanField(
        "candidates must say why they cancel", null=True, blank=True
    )
    # A debrief after the loop's last session: the panel (no candidate) meets to decide.
    # scheduling.debriefs finds its time with the interviews' engine and books it.
    debrief = models.BooleanField(
        "hold a debrief after the interview",
        default=False,
        help_text="The panel meets without the candidate to decide; it goes on the "
        "organizer’s calendar, never to the candidate or the ATS.",
    )
    debrief_minutes = models.PositiveSmallIntegerField("debrief length (minutes)", default=30)
    debrief_within_days = models.PositiveSmallIntegerField(
        "within (working days after the last session)", default=2
    )
    debrief_panel = models.CharField(
        "who is asked to the debrief",
        max_length=10,
        choices=DebriefPanel.choices,
        default=DebriefPanel.LOOP,
    )
    debrief_people = models.ManyToManyField(
        Interviewer, blank=True, related_name="debrief_plans", verbose_name="debrief panel"
    )
    debrief_auto_book = models.BooleanField(
        "book the debrief without asking",
        default=False,
        help_text="Off: the recruiter confirms the time Convene proposes on the interview page.",
    )
    # Autopilot: what happens when an application enters this plan's stage (by sync or
    # webhook), after a delay, within the candidate's reasonable hours when their zone is
    # known; paused: entries wait (they are sent after the switch is turned back on).
    autopilot = models.CharField(
        "when an application enters this stage",
        max_length=20,
        choices=Autopilot.choices,
        default=Autopilot.QUEUE,
    )
    autopilot_delay_minutes = models.PositiveSmallIntegerField(
        "wait before sending (minutes)",
        default=60,
        help_text="Time to undo a move made by mistake before anything goes out.",
    )
    autopilot_reasonable_hours = models.BooleanField(
        "only send between 08:00 and 20:00 the candidate’s time",
        default=True,
        help_text="When Convene knows the candidate’s time zone.",
    )
    autopilot_paused = models.BooleanField("autopilot paused", default=False)
    autopilot_paused_at = models.DateTimeField(null=True, blank=True)
    # The scorecard interviewers fill in afterwards: one question per line.
    scorecard_questions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "job", "stage_status", "stage_name"],
                condition=models.Q(job__isnull=False),
                name="one_plan_per_job_and_stage",
            ),
            models.UniqueConstraint(
                fields=["tenant", "stage_status", "stage_name"],
                condition=models.Q(job__isnull=True),
                name="one_plan_per_stage_for_every_job",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def stage_label(self):
        """The stage as people read it: the ATS's name, else "Every stage of Unified's
        kind" ("Any second interview stage"), else ""."""
        if self.stage_name:
            return self.stage_name
        if self.stage_status:
            return f"Any “{labels.enum_label(self.stage_status).lower()}” stage"
        return ""

    @property
    def scope_label(self):
        stage = self.stage_label
        if self.job_id and stage:
            return f"{self.job} · {stage}"
        if self.job_id:
            return f"{self.job} · every stage"
        if stage:
            return f"Every job · {stage}"
        return "Default for every job and stage"

    @property
    def autopilot_summary(self):
        """What autopilot does for this plan, in a line ("sends the booking link 1 hour
        after an application enters the stage")."""
        rule = self.Autopilot
        if self.autopilot == rule.OFF:
            return "does nothing when an application enters the stage"
        if self.autopilot == rule.QUEUE:
            return "queues each application that enters the stage for a recruiter to send"
        what = "the booking link" if self.autopilot == rule.LINK else "a request for times"
        wait = self.autopilot_delay_minutes
        when = f"{durations.words(wait)} after" if wait else "as soon as"
        return f"sends {what} {when} an application enters the stage"

    @property
    def has_own_candidate_hours(self):
        return self.candidate_hours_start is not None and self.candidate_hours_end is not None

    def candidate_hours(self):
        """(start, end, weekdays): the plan's own candidate hours, else the team's."""
        if self.has_own_candidate_hours:
            days = self.candidate_days if self.candidate_days is not None else [0, 1, 2, 3, 4]
            return self.candidate_hours_start, self.candidate_hours_end, list(days)
        tenant = self.tenant
        return tenant.candidate_hours_start, tenant.candidate_hours_end, tenant.candidate_days

    @property
    def candidate_hours_text(self):
        return candidate_hours_text(*self.candidate_hours())

    @property
    def location_text(self):
        """The place in one line, for the team's plan list."""
        if self.location_kind in (self.Location.OFFICE, self.Location.CALL_US):
            return where.describe(
                self.location_kind, reader=where.INTERVIEWER, detail=self.location_detail
            ).summary
        return self.get_location_kind_display()


class PlanSession(models.Model):
    """One session of a plan: its length and who sits on it."""

    plan = models.ForeignKey(InterviewPlan, on_delete=models.CASCADE, related_name="sessions")
    position = models.PositiveSmallIntegerField(default=0)
    title_template = models.CharField(
        max_length=200,
        default="{job} interview",
        help_text="{job}, {candidate} and {stage} are filled in.",
    )
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    required = models.ManyToManyField(Interviewer, blank=True, related_name="required_in_sessions")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return f"{self.title_template} ({self.duration_minutes} min)"

    def title_for(self, *, job="", candidate="", stage=""):
        values = {"job": job or "", "candidate": candidate or "", "stage": stage or ""}
        try:
            return self.title_template.format(**values).strip() or "Interview"
        except (KeyError, IndexError, ValueError):
            # A template with an unknown {placeholder} is shown as written, not a crash.
            return self.title_template


class PlanPool(models.Model):
    """Choose `k` of the members for a session; a pool naming a training program also seats
    one of its trainees (docs/design.md, "Training")."""

    session = models.ForeignKey(PlanSession, on_delete=models.CASCADE, related_name="pools")
    name = models.CharField(max_length=100, blank=True)
    k = models.PositiveSmallIntegerField("how many", default=1)
    members = models.ManyToManyField(Interviewer, related_name="pools")
    program = models.ForeignKey(
        "TrainingProgram",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pools",
        verbose_name="trainees from program",
    )
    # Optional (False): a time no trainee can make is still offered, without one.
    trainee_required = models.BooleanField("every interview must have a trainee", default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name or f"Pool of {self.session}"

import datetime as dt
import re
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ..lib import reasons, zones


def timezone_names():
    return zones.names()


def validate_timezone(value):
    if not zones.is_zone(value):
        raise ValidationError(
            f"“{value}” is not a known time zone (use a name like Europe/Berlin)."
        )


DEFAULT_INTERVIEW_STATUSES = [
    "SCREENING",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "THIRD_INTERVIEW",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


DEFAULT_LINK_SUBJECT = "Choose a time for your interview with {company}"
DEFAULT_LINK_BODY = """Hello {first_name},

Thank you for your interest in the {job} role at {company}. Please choose a time for your
interview that suits you:

{link}

The link is personal to you and works until {expires}.

{company}"""


# What the booking email's subject and text may name (candidates.links fills them in).
LINK_EMAIL_PLACEHOLDERS = ("first_name", "name", "job", "company", "link", "expires")
LINK_EMAIL_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text):
    """The {names} in a booking email's text that it does not know, in order of appearance."""
    found = []
    for name in LINK_EMAIL_PLACEHOLDER.findall(text or ""):
        if name not in LINK_EMAIL_PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def default_interview_statuses():
    return list(DEFAULT_INTERVIEW_STATUSES)


def default_candidate_days():
    """Monday to Friday (0 is Monday): the days it is reasonable to interview a candidate."""
    return [0, 1, 2, 3, 4]


DEFAULT_CANDIDATE_START = dt.time(8)
DEFAULT_CANDIDATE_END = dt.time(20)


def candidate_hours_text(start, end, days):
    """ "08:00–20:00, Monday to Friday" (an end of 00:00 is midnight)."""
    names = [WEEKDAYS[d] for d in sorted(days)]
    if len(names) == 7:
        on = "every day"
    elif len(names) > 2 and sorted(days) == list(range(min(days), max(days) + 1)):
        on = f"{names[0]} to {names[-1]}"
    elif names:
        on = ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    else:
        on = "no day"
    until = "24:00" if end == dt.time(0) else f"{end:%H:%M}"
    return f"{start:%H:%M}–{until}, {on}"


def check_candidate_hours(start, end, days):
    """Errors of a candidate-hours setting, by field: {} when it can be used."""
    errors = {}
    if start is not None and end is not None and not (start < end or end == dt.time(0)):
        errors["candidate_hours_end"] = "The end must be after the start (00:00 is midnight)."
    if not days:
        errors["candidate_days"] = "Choose at least one day."
    return errors


def default_candidate_reminders():
    """24 hours and 1 hour before (minutes), as Calendly and GoodTime default to."""
    return [24 * 60, 60]


def default_interviewer_reminders():
    """1 hour before (minutes): interviewers already know the day from their calendar; an
    hour is time to read the notes and get to the room (JobScore's default; GoodTime leaves
    it to the company)."""
    return [60]


class CandidateInvitation(models.TextChoices):
    """How the candidate receives their one calendar invitation (a team's choice, kept on
    each interview when it is booked): the home of the rule is
    `Interview.candidate_invited_by` (docs/design.md, "One rule, one home")."""

    EMAIL = "email", "Convene emails the candidate an invitation"
    CANDIDATE_EVENT = (
        "candidate_event",
        "The calendar invites the candidate to a separate candidate-only event",
    )
    ATTENDEE = "attendee", "The candidate is an attendee of the interviewers’ event"


def default_working_hours():
    """Monday to Friday, 09:00–17:00 in the person's own zone (index 0 is Monday)."""
    return [[["09:00", "17:00"]]] * 5 + [[], []]


class User(AbstractUser):
    """A person who signs in. Convene uses the email address as the username."""

    # The zone pages are shown in; empty: the current team's default zone.
    timezone = models.CharField(max_length=64, blank=True, validators=[validate_timezone])

    def __str__(self):
        return self.get_full_name() or self.email or self.username


class Tenant(models.Model):
    """One customer company: everything it owns points here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    default_timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone]
    )
    # Application statuses (Unified's normalized enum) that call for an interview.
    interview_statuses = models.JSONField(default=default_interview_statuses)

    # Self-scheduling links.
    link_email_subject = models.CharField(
        "booking email subject", max_length=200, default=DEFAULT_LINK_SUBJECT
    )
    link_email_body = models.TextField("booking email text", default=DEFAULT_LINK_BODY)
    link_expiry_days = models.PositiveSmallIntegerField("links expire after (days)", default=7)
    link_reminder_hours = models.PositiveSmallIntegerField(
        "remind unbooked candidates after (hours)",
        default=48,
        help_text="0: no reminders.",
    )
    candidate_change_cutoff_hours = models.PositiveSmallIntegerField(
        "candidates may reschedule or cancel until (hours before)", default=24
    )
    # Changes within limits (each plan may set its own: InterviewPlan, blank = these).
    RESCHEDULE_LIMIT_MAX = 20
    candidate_reschedule_limit = models.PositiveSmallIntegerField(
        "candidates may reschedule online (times)",
        default=2,
        validators=[MaxValueValidator(RESCHEDULE_LIMIT_MAX)],
        help_text="Per interview. After that the candidate’s page asks them to write to "
        "the recruiter. 0: never online.",
    )
    cancel_reason_required = models.BooleanField(
        "candidates must say why they cancel",
        default=False,
        help_text="Off: the reason is optional on the candidate’s page.",
    )
    # The reasons people choose from (labels, one a line in the settings; "Other" with
    # words of one's own is always offered): lib.reasons.
    reschedule_reasons = models.JSONField(default=reasons.default_reschedule_reasons, blank=True)
    cancel_reasons = models.JSONField(default=reasons.default_cancel_reasons, blank=True)
    # The recruiters' own (their Reschedule and Cancel…), phrased for the team.
    team_reschedule_reasons = models.JSONField(
        default=reasons.default_team_reschedule_reasons, blank=True
    )
    team_cancel_reasons = models.JSONField(default=reasons.default_team_cancel_reasons, blank=True)

    class AvailabilityBooking(models.TextChoices):
        RECRUITER = "recruiter", "A recruiter books a time inside them"
        AUTOMATIC = (
            "automatic",
            (
                "Book automatically when exactly one time is best (the lightest load); "
                "otherwise a recruiter books"
            ),
        )

    # When a candidate sends the times they can do (candidates.availability).
    availability_booking = models.CharField(
        "when a candidate sends the times they can do",
        max_length=10,
        choices=AvailabilityBooking.choices,
        default=AvailabilityBooking.RECRUITER,
    )
    # When it is reasonable to interview a candidate, on their own clock: every plan's
    # default (a plan may set its own). An end of 00:00 is midnight.
    candidate_hours_start = models.TimeField(
        "candidates’ hours from", default=DEFAULT_CANDIDATE_START
    )
    candidate_hours_end = models.TimeField(
        "candidates’ hours until", default=DEFAULT_CANDIDATE_END
    )
    candidate_days = models.JSONField("candidates’ days", default=default_candidate_days)

    # Who sends the candidate their calendar invitation: Convene by email (the interviewers'
    # event stays internal), or the calendar, the candidate then being an attendee of the
    # interviewers' event (which carries nothing internal then).
    candidate_invitation = models.CharField(
        "the candidate’s calendar invitation",
        max_length=16,
        choices=CandidateInvitation.choices,
        default=CandidateInvitation.EMAIL,
    )

    # Feedback. Bounded: the periodic job adds these to today's date, and a link that
    # outlives the year 9999 would stop it (feedback_forms.FeedbackSettingsForm shows them).
    FEEDBACK_LINK_DAYS = (1, 365)
    FEEDBACK_REMINDER_HOURS = (0, 720)
    feedback_link_days = models.PositiveSmallIntegerField(
        "feedback links expire after (days)",
        default=14,
        validators=[
            MinValueValidator(FEEDBACK_LINK_DAYS[0]),
            MaxValueValidator(FEEDBACK_LINK_DAYS[1]),
        ],
    )
    feedback_reminder_hours = models.PositiveSmallIntegerField(
        "remind for missing feedback after (hours)",
        default=24,
        validators=[MaxValueValidator(FEEDBACK_REMINDER_HOURS[1])],
    )
    # Reminders before an interview, in minutes before its start, longest first (an empty
    # list: none). The candidate's are for the interview's first session (each plan may turn
    # them off); the interviewers' for each session they sit in. scheduling.reminders sends.
    REMINDER_MINUTES = (5, 14 * 24 * 60)
    candidate_reminder_minutes = models.JSONField(
        "remind candidates before the interview",
        default=default_candidate_reminders,
        blank=True,
        help_text="Minutes before the start, e.g. [1440, 60]; [] for none.",
    )
    interviewer_reminder_minutes = models.JSONField(
        "remind interviewers before their session",
        default=default_interviewer_reminders,
        blank=True,
        help_text="Minutes before the start, e.g. [60]; [] for none.",
    )
    # Autopilot's guardrails (candidates.autopilot): at most this many sends a day for the
    # whole team (0: none; what is over waits for the next day), and at most this many
    # entries per application and plan over its life (a stage moved back and forth).
    autopilot_daily_cap = models.PositiveIntegerField(
        "autopilot sends at most (per day)",
        default=200,
        help_text="For the whole team, counted from midnight on the team’s clock. "
        "0: autopilot sends nothing.",
    )
    autopilot_entries_per_application = models.PositiveSmallIntegerField(
        "autopilot acts on an application at most (times per plan)",
        default=3,
        validators=[MinValueValidator(1)],
        help_text="An application moved in and out of a stage more often than this is left "
        "to a recruiter.",
    )
    # The company's logo on the candidate's pages: a small image as a data: URL (the
    # pages' CSP allows images from this site and data: only; forms.TeamSettingsForm
    # checks what is uploaded).
    logo = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def candidate_hours_text(self):
        return candidate_hours_text(
            self.candidate_hours_start, self.candidate_hours_end, self.candidate_days
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        RECRUITER = "recruiter", "Recruiter"
        INTERVIEWER = "interviewer", "Interviewer"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant__name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_membership_per_tenant")
        ]

    def __str__(self):
        return f"{self.user} – {self.tenant} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN

    @property
    def can_schedule(self):
        """Admins and recruiters run the pipeline; interviewers only give feedback."""
        return self.role in (self.Role.ADMIN, self.Role.RECRUITER)

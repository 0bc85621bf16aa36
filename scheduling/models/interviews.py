import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.db import models

from ..lib import labels, reasons, zones
from .connections import Connection, Interviewer
from .plans import InterviewPlan
from .tenancy import CandidateInvitation, Tenant


class InterviewQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Interview.Status.SCHEDULED)


class Interview(models.Model):
    """An interview Convene booked: one or more sessions for one application.

    Each session becomes a calendar event and an ATS interview (written back by the outbox).
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELED = "canceled", "Canceled"

    class Source(models.TextChoices):
        RECRUITER = "recruiter", "Scheduled by a recruiter"
        CANDIDATE = "candidate", "Booked by the candidate"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="interviews")
    application = models.ForeignKey(
        "candidates.Application", on_delete=models.CASCADE, related_name="interviews"
    )
    plan = models.ForeignKey(
        InterviewPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The application's status when this was booked: the stage the interview is for; and
    # since when the application was in it (the reports' time to schedule).
    stage_status = models.CharField(max_length=64, blank=True)
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    # …and that stage's name in the ATS ("Face to Face"), what people read.
    stage_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.RECRUITER)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # The candidate's zone for emails and the booking page (IANA), when known.
    candidate_timezone = models.CharField(max_length=64, blank=True)
    location_kind = models.CharField(max_length=10, blank=True)
    location_detail = models.CharField(max_length=500, blank=True)
    location_notes = models.TextField(blank=True)
    # The number the candidate gave for a phone interview the team calls.
    candidate_phone = models.CharField(max_length=64, blank=True)
    agenda = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When a session's time last changed (booking.change); empty: as booked. A reminder
    # whose time came before people were told the current times is not sent.
    times_changed_at = models.DateTimeField(null=True, blank=True)
    # A recruiter booked outside the engine's availability: why.
    override_reason = models.TextField(blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # Who asked for the cancellation: a booking.By value (recruiter, candidate, calendar…).
    canceled_by = models.CharField(max_length=20, blank=True)
    # The .ics SEQUENCE: raised on every change so calendars update, not duplicate.
    ics_sequence = models.PositiveIntegerField(default=0)
    # How many days' events the candidate's calendar holds from us (ics.interview_calendars):
    # a day that later has no session is canceled in the next email.
    ics_days = models.PositiveSmallIntegerField(default=1)
    # How the candidate is invited: the team's choice when this was booked, kept for the
    # interview's life, so that a change of the setting never leaves a candidate with an
    # invitation nobody updates (`candidate_invited_by`).
    candidate_invitation = models.CharField(
        max_length=16, choices=CandidateInvitation.choices, default=CandidateInvitation.EMAIL
    )
    # The candidate-only events, one per day of the interview on the candidate's clock (as
    # the .ics has them: `ics.days`), when the calendar invites them to their own event:
    # [{"id": event id, "connection": connection pk, "calendar_id": …}], by day.
    candidate_events = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        ordering = ["-start_at"]
        indexes = [
            models.Index(fields=["application", "status", "start_at"]),
            models.Index(fields=["tenant", "status", "start_at"]),
            # The reports: bookings (read from the index alone) and cancellations by when
            # they happened.
            models.Index(
                fields=["tenant", "created_at", "stage_entered_at", "application", "plan"]
            ),
            models.Index(fields=["tenant", "canceled_at"]),
        ]

    def __str__(self):
        return f"Interview with {self.application.candidate} on {self.start_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self):
        return self.status == self.Status.SCHEDULED

    @property
    def no_show_text(self):
        """The interview's state when someone did not attend, as every page says it
        ("Candidate did not attend"); empty when nobody was marked absent. Reads
        `no_shows`, which list pages prefetch."""
        marks = list(self.no_shows.all())
        if any(mark.is_candidate for mark in marks):
            return "Candidate did not attend"
        if marks:
            return "An interviewer did not attend"
        return ""

    @property
    def stage_label(self):
        return labels.stage_label(self.stage_status, self.stage_name)

    @property
    def candidate_zone_name(self):
        """The zone the candidate reads this interview in (emails, calendar files, their
        page, their day of a loop): what Convene knows of the candidate now, else the zone
        it was booked in, else the team's."""
        booked = zones.name_or(self.candidate_timezone, self.tenant.default_timezone)
        return zones.canonical(zones.name_or(self.application.candidate.timezone, booked))

    @property
    def times_known_since(self):
        """Since when everyone has known the interview's current times (its confirmation
        or its last change)."""
        return self.times_changed_at or self.created_at

    def _rule(self, name):
        """A rule of changes within limits: the plan's when it sets one, else the team's."""
        own = getattr(self.plan, name, None) if self.plan_id else None
        return own if own is not None else getattr(self.tenant, name)

    @property
    def candidate_cutoff_hours(self):
        return self._rule("candidate_change_cutoff_hours")

    @property
    def candidate_change_deadline(self):
        """Until when the candidate may reschedule or cancel it themself."""
        return self.start_at - dt.timedelta(hours=self.candidate_cutoff_hours)

    @property
    def cancel_reason_required(self):
        """Whether the candidate must say why they cancel (optional unless the plan or the
        team asks)."""
        return bool(self._rule("cancel_reason_required"))

    def candidate_changes(self, now):
        """What the candidate may still change themself, and if not, why: the one home of
        the cut-off and the reschedule limit (their page, its POSTs, their reminders)."""
        limit = self._rule("candidate_reschedule_limit")
        moved = self.changes.filter(kind=InterviewChange.Kind.RESCHEDULED, by="candidate").count()
        deadline = self.candidate_change_deadline
        if not self.is_active:
            why = CandidateChanges.CANCELED
        elif now >= deadline:
            why = CandidateChanges.CUTOFF
        else:
            why = ""
        return CandidateChanges(
            why=why,
            limit_reached=moved >= limit,
            moved=moved,
            limit=limit,
            deadline=deadline,
            cutoff_hours=self.candidate_cutoff_hours,
        )

    @property
    def candidate_invited_by(self):
        """Who sends the candidate their one invitation (a CandidateInvitation): Convene's
        email with an .ics (EMAIL: the interviewers' events are internal and do not list
        them); the calendar, to a candidate-only event per day of the interview that holds
        only what they may read (CANDIDATE_EVENT); or the calendar, the candidate being an
        attendee of the interviewers' events, which then hold only what they may read
        (ATTENDEE). Either calendar way, Convene's email carries no .ics.

        The calendar invites the candidate only when the team chose that for this
        interview and every session's event is on a calendar that sends invitations (an
        admin says so per connection); otherwise the .ics, so the candidate is never left
        without an invitation, nor given two."""
        way = self.candidate_invitation
        if way == CandidateInvitation.EMAIL:
            return way
        sessions = list(self.sessions.select_related("calendar_connection"))
        by_calendar = bool(sessions) and all(
            s.calendar_connection is not None and s.calendar_connection.can("invites")
            for s in sessions
        )
        return way if by_calendar else CandidateInvitation.EMAIL

    @property
    def candidate_on_event(self):
        """Whether the candidate is an attendee of the interviewers' events."""
        return self.candidate_invited_by == CandidateInvitation.ATTENDEE

    @property
    def candidate_invitation_text(self):
        """How the candidate was invited, in words, for the recruiter."""
        way = self.candidate_invited_by
        if way == CandidateInvitation.ATTENDEE:
            return "The calendar’s invitation: they are an attendee of the interviewers’ event."
        if way == CandidateInvitation.CANDIDATE_EVENT:
            return "The calendar’s invitation, to an event of their own (no interviewers on it)."
        text = "Convene’s email with a calendar file, updated with every change."
        if self.candidate_invitation != way:
            text += " (The team chose the calendar’s, but this calendar sends no invitations.)"
        return text

    @property
    def candidate_ref(self):
        """The marker in the notes of the candidate-only events (`candidate_event_ids`):
        never a session's ref, so they are not taken for the interviewers' events."""
        return f"convene-candidate:{self.pk}"

    @property
    def ics_uid(self):
        return f"{self.pk}@convene"

    def raise_flag(self, kind, text, *, session=None, interviewer=None, detail=""):
        """Flag a matter for the recruiter: one flag per kind, session and interviewer, its
        text replaced when raised again. Several can wait at once (a decline, a close in the
        ATS, a loop a move broke); each is cleared by its own kind, never by another's.
        The caller holds the interview's row lock, which keeps the flag single."""
        Flag.objects.update_or_create(
            interview=self,
            kind=kind,
            session=session,
            interviewer=interviewer,
            defaults={"text": text, "detail": detail},
        )

    def clear_flags(self, *kinds, session=None, interviewer=None):
        """Drop the flags of these kinds (all kinds when none is given), of one session or
        interviewer when given. Returns how many went."""
        flags = self.flags.all()
        if kinds:
            flags = flags.filter(kind__in=kinds)
        if session is not None:
            flags = flags.filter(session=session)
        if interviewer is not None:
            flags = flags.filter(interviewer=interviewer)
        count, _ = flags.delete()
        return count

    @property
    def flag_text(self):
        """Every flag's text, one per line (for people reading and tests asserting)."""
        return "\n".join(flag.text for flag in self.flags.all())


@dataclasses.dataclass(frozen=True)
class CandidateChanges:
    """What the candidate may still do with their interview (Interview.candidate_changes):
    cancel until the cut-off; reschedule until the cut-off and while under the limit."""

    CANCELED = "canceled"
    CUTOFF = "cutoff"

    why: str  # "" (before the cut-off), CANCELED or CUTOFF
    limit_reached: bool
    moved: int  # how many times the candidate moved it themself
    limit: int
    deadline: dt.datetime
    cutoff_hours: int

    @property
    def cancel(self):
        return not self.why

    @property
    def reschedule(self):
        return not self.why and not self.limit_reached

    @property
    def moved_words(self):
        """ "once", "twice", "3 times": how many times they moved it."""
        return {1: "once", 2: "twice"}.get(self.moved, f"{self.moved} times")


class InterviewChange(models.Model):
    """One move or cancellation of an interview, with who asked and the reason given, as
    data: the candidate's reschedules are counted from these, and the reports can count
    the reasons (written by booking.change and booking.cancel)."""

    class Kind(models.TextChoices):
        RESCHEDULED = "rescheduled", "Rescheduled"
        CANCELED = "canceled", "Canceled"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Who asked: a booking.By value (recruiter, candidate, calendar, ats) or "" (Convene).
    by = models.CharField(max_length=20, blank=True)
    # The reason chosen (lib.reasons): the label's slug, "other", or "" when none was given;
    # the label as it read then; the person's own words.
    reason_code = models.CharField(max_length=50, blank=True)
    reason_label = models.CharField(max_length=reasons.MAX_LABEL, blank=True)
    reason_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["interview", "kind", "by"]),
            # The reports: reasons of one kind over a period.
            models.Index(fields=["tenant", "kind", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.by or 'Convene'}: {self.reason}"

    @property
    def reason(self):
        return reasons.Reason(self.reason_code, self.reason_label, self.reason_text)


class InterviewSession(models.Model):
    """One session of an interview: its own calendar event and ATS interview."""

    class AtsRecord(models.TextChoices):
        NONE = "", "Not written yet"
        INTERVIEW = "interview", "ATS interview"
        ACTIVITY = "activity", "Note on the application (the ATS takes no interviews)"
        UNAVAILABLE = "unavailable", "Nothing (the ATS accepts neither)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="sessions")
    # The plan's session this one is (a change finds its part of a new time by it); the
    # position is the order the sessions were booked in.
    plan_session = models.ForeignKey(
        "PlanSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # Whose calendar holds the event (the attendees get the vendor's invitations).
    organizer = models.ForeignKey(
        Interviewer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar_connection = models.ForeignKey(
        Connection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar_id = models.CharField(max_length=255, blank=True)
    event_id = models.CharField(max_length=255, blank=True, db_index=True)
    # The event's updated_at as last seen: older webhook deliveries change nothing.
    event_seen_updated_at = models.DateTimeField(null=True, blank=True)
    meeting_url = models.URLField(max_length=500, blank=True)
    # The link the candidate's emails carried last: a follow-up goes only for a new one.
    link_told = models.URLField(max_length=500, blank=True)
    ats_record = models.CharField(max_length=20, choices=AtsRecord.choices, blank=True)
    ats_interview_id = models.CharField(max_length=255, blank=True, db_index=True)
    ats_seen_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "start_at"]

    def __str__(self):
        return self.title

    @property
    def ref(self):
        """The marker Convene puts in the event's notes, to find an event it may already
        have created when a create's answer was lost."""
        return f"convene-session:{self.pk}"


class SessionAttendee(models.Model):
    """An interviewer on a session. Times are copied from the session so that PostgreSQL can
    refuse two active bookings of one person at overlapping times (an exclusion constraint,
    added in a migration: SQLite relies on its write lock instead)."""

    class Role(models.TextChoices):
        REQUIRED = "required", "Required"
        POOL = "pool", "From a pool"
        TRAINEE = "trainee", "Trainee (shadowing)"
        TRAINEE_LEADS = "trainee_leads", "Trainee leading (reverse shadow)"
        TRAINER = "trainer", "Qualified interviewer shadowing the trainee"
        ADDED = "added", "Added by the recruiter"

    class Response(models.TextChoices):
        NONE = "", "No answer"
        ACCEPTED = "ACCEPTED", "Accepted"
        TENTATIVE = "TENTATIVE", "Tentative"
        DECLINED = "REJECTED", "Declined"

    session = models.ForeignKey(
        InterviewSession, on_delete=models.CASCADE, related_name="attendees"
    )
    interviewer = models.ForeignKey(
        Interviewer, on_delete=models.PROTECT, related_name="attendances"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REQUIRED)
    pool = models.ForeignKey(
        "PlanPool", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    # False once the interview is canceled or the person was swapped out.
    active = models.BooleanField(default=True)
    response = models.CharField(max_length=20, choices=Response.choices, blank=True)
    # The trainee this seat is for, on a trainee's seat and on their trainer's.
    training = models.ForeignKey(
        "Trainee", null=True, blank=True, on_delete=models.SET_NULL, related_name="seats"
    )

    class Meta:
        ordering = ["session", "role", "interviewer__name"]
        indexes = [
            # Holds, load and the reports (which read the session from it too).
            models.Index(fields=["interviewer", "active", "start_at", "session"]),
            # The reports' declines: the few answers that said no.
            models.Index(
                fields=["session", "interviewer"],
                condition=models.Q(response="REJECTED"),
                name="declined_attendances",
            ),
        ]

    def __str__(self):
        return f"{self.interviewer} on {self.session}"

    @property
    def role_words(self):
        """The seat in words, as the interview page and the interviewers' emails say it:
        "required", "from a pool", "trainee, shadowing", "trainee leading (reverse shadow);
        Ada Shah shadows", "shadows Kenji Sato, who leads". Reads the session's attendees
        (prefetch them to list many)."""
        role = self.Role
        if self.role not in (role.TRAINEE_LEADS, role.TRAINER):
            return {
                role.REQUIRED: "required",
                role.POOL: "from a pool",
                role.TRAINEE: "trainee, shadowing",
                role.ADDED: "added by the recruiter",
            }.get(self.role, self.get_role_display().lower())
        partner = role.TRAINER if self.role == role.TRAINEE_LEADS else role.TRAINEE_LEADS
        names = [
            a.interviewer.name
            for a in self.session.attendees.all()
            if a.active
            and a.role == partner
            and a.pk != self.pk
            and (self.training_id is None or a.training_id == self.training_id)
        ]
        if self.role == role.TRAINEE_LEADS:
            return "trainee leading (reverse shadow)" + (
                f"; {' and '.join(names)} shadows" if names else ""
            )
        return "shadows " + (f"{' and '.join(names)}, who leads" if names else "the trainee")


class Flag(models.Model):
    """A matter an interview's recruiter must look at, raised by what changed elsewhere."""

    class Kind(models.TextChoices):
        LOOP_BROKEN = "loop_broken", "The sessions no longer fit together"
        RULE_BREAK = "rule_break", "A session breaks an interviewer's rules"
        DECLINED = "declined", "An interviewer declined"
        APPLICATION_CLOSED = "application_closed", "The application was closed in the ATS"
        EVENT_DELETED = "event_deleted", "Its calendar event was deleted"
        DEBRIEF = "debrief", "The debrief needs a new time"
        CANT_MAKE_IT = "cant_make_it", "An interviewer can't make it"

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # What it concerns, when it concerns one session or one person.
    session = models.ForeignKey(
        InterviewSession, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    interviewer = models.ForeignKey(
        Interviewer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    # The person's own reason, when the flag carries one (an interviewer's "I can't make
    # this"): shown back to them as they gave it.
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.text


class NoShow(models.Model):
    """Someone did not attend a session that has ended: the candidate (no interviewer) or one
    of its interviewers. Marked by the recruiter, or by an interviewer of the session from
    their feedback page; a mistaken mark is deleted by the recruiter (the history keeps it).
    `attendance.mark` / `attendance.clear` are the only writers."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="no_shows")
    session = models.ForeignKey(
        InterviewSession, on_delete=models.CASCADE, related_name="no_shows"
    )
    # Who did not attend: empty for the candidate.
    interviewer = models.ForeignKey(
        Interviewer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    marked_at = models.DateTimeField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who marked it, as people read it (an interviewer through their emailed link has no user).
    marked_by_label = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["session__position", "interviewer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(interviewer__isnull=True),
                name="one_candidate_no_show_per_session",
            ),
            models.UniqueConstraint(
                fields=["session", "interviewer"],
                condition=models.Q(interviewer__isnull=False),
                name="one_interviewer_no_show_per_session",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_candidate(self):
        return self.interviewer_id is None

    @property
    def text(self):
        """The mark in words: "The candidate did not attend “Technical”"."""
        who = "The candidate" if self.is_candidate else self.interviewer.name
        return f"{who} did not attend “{self.session.title}”"

    @property
    def clause(self):
        """The same inside a sentence: "the candidate did not attend “Technical”"."""
        return ("the" + self.text[3:]) if self.is_candidate else self.text

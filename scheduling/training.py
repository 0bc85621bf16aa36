"""Training progress: which sessions count toward a trainee's stage, and moving them on.

A trainee of a program (docs/design.md, "Training") shadows `shadow_count` sessions, then
leads `reverse_shadow_count` while a qualified interviewer shadows them, then is qualified.
The engine seats them (scheduling.slots); this module counts and moves them on:

* **What counts** (`judge`): a seat a trainee took because of their program (role TRAINEE
  for a shadow, TRAINEE_LEADS for a reverse shadow) counts once its interview has ended and
  was not canceled, the seat is still active and was not declined, nobody marked that the
  candidate or the trainee did not attend that session, and — when the program asks — a
  trainer's feedback approved it (`trainee_verdicts` on the trainer's FeedbackRequest; any
  trainer saying no keeps it from counting). A seat counts toward the stage of its role,
  and only while the trainee is in that stage.
* **Counting** (`recount`, run by the periodic job "training progress" through `run_due`,
  and at once when a no-show is marked or cleared, an interview canceled or changed, or a
  trainer's feedback submitted): one TrainingCredit per seat (the one-to-one makes
  counting twice impossible). A credit whose seat no longer counts (a no-show marked after
  counting, a cancel) is taken back; the trainee keeps the stage they reached (an admin
  sets it back by hand if they want: `set_stage`).
* **Moving on** (`_settle`): reaching the stage's count moves the trainee on at once, or,
  when the program asks, sets `awaiting_approval` and emails the team's admins, whose
  progress page lists them with an Approve button (`approve`).
* **Qualifying** adds the interviewer to the members of every pool naming the program, so
  the ordinary engine seats them in ordinary seats from then on.

Every change writes a TrainingEvent (the trainee's history, in words) and an audit entry.
A stage's count is of credits counted since the trainee entered the stage (`stage_since`),
so a trainee an admin sets back starts that stage again.
"""

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import emails, feedback, outbox, signals
from .models import (
    Membership,
    NoShow,
    Operation,
    PlanPool,
    SessionAttendee,
    Trainee,
    TrainingCredit,
    TrainingEvent,
    audit,
)

logger = logging.getLogger(__name__)

Role = SessionAttendee.Role
Stage = Trainee.Stage
Kind = TrainingEvent.Kind

# The seats that count, and the stage each counts toward.
STAGE_OF_ROLE = {Role.TRAINEE: Stage.SHADOW, Role.TRAINEE_LEADS: Stage.REVERSE_SHADOW}
TRAINEE_ROLES = feedback.TRAINEE_ROLES
# The seats of those a trainee learns from.
TRAINER_ROLES = [role for role in Role.values if role not in STAGE_OF_ROLE]
NEXT = {Stage.SHADOW: Stage.REVERSE_SHADOW, Stage.REVERSE_SHADOW: Stage.QUALIFIED}
# The events that start a stage: its count starts from the latest.
STAGE_STARTS = (Kind.ENROLLED, Kind.ADVANCED, Kind.QUALIFIED, Kind.CHANGED)

# What a stage's sessions are called, one and many.
SESSION_WORDS = {
    Stage.SHADOW: ("shadow session", "shadow sessions"),
    Stage.REVERSE_SHADOW: ("reverse shadow", "reverse shadows"),
}
STAGE_LABELS = {
    Stage.SHADOW: "Shadowing",
    Stage.REVERSE_SHADOW: "Reverse shadowing",
    Stage.QUALIFIED: "Qualified",
}
STAGE_WORDS = {
    Stage.SHADOW: "shadowing",
    Stage.REVERSE_SHADOW: "reverse shadowing",
    Stage.QUALIFIED: "qualified",
}


class TrainingError(Exception):
    """The change cannot be made; the message says why, for the person asking."""


# --- what counts ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Verdict:
    counts: bool
    # It may count later (the interview has not ended, a trainer's feedback is not in).
    waiting: bool = False
    # Why, in words ("the candidate did not attend"); who approved when it counts.
    why: str = ""


def judge(seat, now=None):
    """Whether the trainee's seat counts now (the rule of the module's docstring)."""
    now = now or timezone.now()
    interview = seat.session.interview
    name = seat.interviewer.name
    if not interview.is_active:
        return Verdict(False, why="the interview was canceled")
    if not seat.active:
        return Verdict(False, why=f"{name} was taken off the session")
    if interview.end_at > now:
        return Verdict(False, waiting=True, why="the interview has not ended yet")
    if seat.response == SessionAttendee.Response.DECLINED:
        return Verdict(False, why=f"{name} declined the invitation")
    marks = set(
        NoShow.objects.filter(session=seat.session)
        .filter(Q(interviewer__isnull=True) | Q(interviewer=seat.interviewer_id))
        .values_list("interviewer_id", flat=True)
    )
    if None in marks:
        return Verdict(False, why="the candidate did not attend")
    if marks:
        return Verdict(False, why=f"{name} did not attend")
    if seat.training.program.trainer_approval_required:
        verdicts = feedback.trainer_verdicts(seat)
        refused = [person for person, approved in verdicts if not approved]
        if refused:
            return Verdict(False, why=f"{refused[0]} did not approve it in their feedback")
        if not verdicts:
            return Verdict(False, waiting=True, why="waiting for a trainer's feedback")
        return Verdict(True, why=f"approved by {_names([p for p, _a in verdicts])}")
    return Verdict(True)


# --- counting ---------------------------------------------------------------------------------


def stage_since(trainee):
    """When the trainee entered their current stage: their count starts there."""
    started = (
        trainee.history.filter(kind__in=STAGE_STARTS)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return max(started, trainee.enrolled_at) if started else trainee.enrolled_at


def needed(trainee, stage=None):
    """How many sessions the stage takes (None once qualified)."""
    stage = stage or trainee.stage
    program = trainee.program
    return {
        Stage.SHADOW: program.shadow_count,
        Stage.REVERSE_SHADOW: program.reverse_shadow_count,
    }.get(stage)


def done(trainee):
    """How many sessions counted toward the current stage since the trainee entered it."""
    if trainee.stage not in NEXT:
        return 0
    since = stage_since(trainee)
    return trainee.credits.filter(stage=trainee.stage, counted_at__gte=since).count()


def recount(trainee, *, now=None):
    """Count the trainee's ended seats: credit each that counts and has none, take back
    credits whose seat no longer counts, then move them on if they reached the count.
    Idempotent. Returns how many credits it added or took back."""
    now = now or timezone.now()
    changed = 0
    with transaction.atomic():
        trainee = (
            Trainee.objects.select_for_update()
            .select_related("program", "interviewer", "tenant")
            .filter(pk=trainee.pk)
            .first()
        )
        if trainee is None:
            return 0
        seats = feedback.training_seats().filter(training=trainee)
        for credit in trainee.credits.select_related("attendee"):
            seat = seats.filter(pk=credit.attendee_id).first()
            verdict = judge(seat, now) if seat is not None else Verdict(False, why="")
            if not verdict.counts:
                _take_back(trainee, credit, seat, verdict, now)
                changed += 1
        if trainee.active and trainee.stage in NEXT:
            _settle(trainee, now)  # a stage of 0 sessions is passed at once
            ended = seats.filter(
                session__interview__end_at__lte=now,
                training_credit__isnull=True,
            ).order_by("session__interview__end_at", "session__start_at")
            for seat in ended:
                # Moving on after each: a seat of the stage they just left no longer counts.
                if STAGE_OF_ROLE[seat.role] != trainee.stage:
                    continue
                verdict = judge(seat, now)
                if verdict.counts:
                    changed += _credit(trainee, seat, verdict, now)
                    _settle(trainee, now)
            _settle(trainee, now)
        elif changed:
            _settle(trainee, now)
    return changed


def _credit(trainee, seat, verdict, now):
    stage = STAGE_OF_ROLE[seat.role]
    try:
        with transaction.atomic():
            TrainingCredit.objects.create(
                trainee=trainee, attendee=seat, stage=stage, counted_at=now
            )
    except IntegrityError:
        return 0  # counted already, by a runner that got there first
    count, of = done(trainee), needed(trainee)
    text = (
        f"Counted: {_did(seat)} “{seat.session.title}” with "
        f"{seat.session.interview.application.candidate.name} ({count} of {of})"
    )
    if verdict.why:
        text += f", {verdict.why}"
    _event(trainee, Kind.COUNTED, text, now)
    return 1


def _take_back(trainee, credit, seat, verdict, now):
    credit.delete()
    if seat is None:
        text = "No longer counted: a session that was taken off the interview"
    else:
        text = (
            f"No longer counted: {_did(seat)} “{seat.session.title}” with "
            f"{seat.session.interview.application.candidate.name}, {verdict.why}"
        )
    if trainee.stage != credit.stage:
        text += f" (they stay {STAGE_WORDS[trainee.stage]})"
    _event(trainee, Kind.NOT_COUNTED, text, now)


def _did(seat):
    return "led" if seat.role == Role.TRAINEE_LEADS else "shadowed"


def _settle(trainee, now, *, actor=None):
    """Move the trainee on while they have reached their stage's count (a program may take
    0 sessions of a stage), or ask the admins when the program wants an approval. A count
    that fell back below (a credit taken back) withdraws the request for approval."""
    while trainee.stage in NEXT:
        count, of = done(trainee), needed(trainee)
        if count < of:
            if trainee.awaiting_approval:
                trainee.awaiting_approval = False
                trainee.save(update_fields=["awaiting_approval"])
                _event(
                    trainee,
                    Kind.NOT_COUNTED,
                    f"No longer waiting for approval: {count} of {of} "
                    f"{SESSION_WORDS[trainee.stage][1]} count now",
                    now,
                )
            return
        if trainee.program.approval_required:
            if not trainee.awaiting_approval:
                _ask_approval(trainee, count, of, now)
            return
        _move_on(trainee, now, actor=actor)


def _ask_approval(trainee, count, of, now):
    trainee.awaiting_approval = True
    trainee.save(update_fields=["awaiting_approval"])
    next_stage = STAGE_WORDS[NEXT[trainee.stage]]
    _event(
        trainee,
        Kind.APPROVAL_ASKED,
        f"{count} of {of} {SESSION_WORDS[trainee.stage][1]} done: waiting for an admin to "
        f"approve the move to {next_stage}",
        now,
    )
    outbox.add(
        trainee.tenant,
        Operation.Kind.SEND_EMAIL,
        payload={
            "kind": "training_approval",
            "trainee": str(trainee.pk),
            "about": f"To the admins: approve {trainee.interviewer.name}",
        },
    )


def _move_on(trainee, now, *, actor=None, approved=False):
    before = trainee.stage
    count, of = done(trainee), needed(trainee)
    trainee.stage = NEXT[before]
    trainee.awaiting_approval = False
    fields = ["stage", "awaiting_approval"]
    words = f"{count} of {of} {SESSION_WORDS[before][1]} done"
    by = f", approved by {_person(actor)}" if approved else ""
    if trainee.stage == Stage.QUALIFIED:
        trainee.qualified_at = now
        fields.append("qualified_at")
        trainee.save(update_fields=fields)
        pools = join_pools(trainee)
        text = f"Qualified for “{trainee.program.name}” ({words}{by})"
        text += (
            f": now sits in ordinary seats of {_names(pools)}"
            if pools
            else ": no plan's pool names the program yet"
        )
        _event(trainee, Kind.QUALIFIED, text, now, actor=actor)
    else:
        trainee.save(update_fields=fields)
        _event(
            trainee,
            Kind.ADVANCED,
            f"Moved on to {STAGE_WORDS[trainee.stage]} ({words}{by})",
            now,
            actor=actor,
        )


def join_pools(trainee):
    """A qualified interviewer fills ordinary seats: they join the members of every pool
    naming their program. Returns the pools' names."""
    pools = list(
        PlanPool.objects.filter(
            program=trainee.program, session__plan__tenant=trainee.tenant
        ).select_related("session__plan")
    )
    for pool in pools:
        pool.members.add(trainee.interviewer)
    return sorted({_pool_name(pool) for pool in pools})


def leave_pools(trainee):
    """Taken back from qualified: out of the members of the pools naming the program."""
    pools = list(
        PlanPool.objects.filter(
            program=trainee.program,
            session__plan__tenant=trainee.tenant,
            members=trainee.interviewer,
        ).select_related("session__plan")
    )
    for pool in pools:
        pool.members.remove(trainee.interviewer)
    return sorted({_pool_name(pool) for pool in pools})


def _pool_name(pool):
    """“Onsite: Coders”: the plan and the pool's name, or the session's title (as written,
    {job} and the like left out) when the pool has no name."""
    session = pool.session
    plan = session.plan
    title = session.title_for(job=plan.job.name if plan.job_id else "", stage=plan.stage_name)
    return f"“{plan.name}: {pool.name or title}”"


# --- admins -----------------------------------------------------------------------------------


def approve(trainee, *, user, now=None):
    """An admin approves the move on of a trainee who reached their stage's count."""
    now = now or timezone.now()
    with transaction.atomic():
        trainee = _locked(trainee)
        if not trainee.awaiting_approval:
            raise TrainingError(
                f"{trainee.interviewer.name} is not waiting for an approval "
                f"(now {STAGE_WORDS[trainee.stage]})."
            )
        before = trainee.stage
        _event(
            trainee,
            Kind.APPROVED,
            f"{_person(user)} approved the move to {STAGE_WORDS[NEXT[before]]}",
            now,
            actor=user,
        )
        _move_on(trainee, now, actor=user, approved=True)
        _settle(trainee, now, actor=user)
    return trainee


def set_stage(trainee, stage, *, user, now=None):
    """An admin sets the trainee's stage by hand (skipping a stage, qualifying someone who
    trained elsewhere, or starting a stage again). Its count starts afresh; qualifying
    joins the program's pools, leaving qualified leaves them."""
    now = now or timezone.now()
    if stage not in Stage.values:
        raise TrainingError("Choose one of the stages.")
    with transaction.atomic():
        trainee = _locked(trainee)
        before = trainee.stage
        if stage == before:
            raise TrainingError(
                f"{trainee.interviewer.name} is {STAGE_WORDS[before]} already: nothing changed."
            )
        trainee.stage = stage
        trainee.awaiting_approval = False
        text = f"{_person(user)} set the stage to {STAGE_WORDS[stage]} (was {STAGE_WORDS[before]})"
        if stage == Stage.QUALIFIED:
            trainee.qualified_at = now
            trainee.save(update_fields=["stage", "awaiting_approval", "qualified_at"])
            pools = join_pools(trainee)
            if pools:
                text += f": now sits in ordinary seats of {_names(pools)}"
        else:
            trainee.qualified_at = None
            trainee.save(update_fields=["stage", "awaiting_approval", "qualified_at"])
            left = leave_pools(trainee) if before == Stage.QUALIFIED else []
            text += f"; the count starts again from 0 of {needed(trainee)}"
            if left:
                text += f"; no longer a qualified member of {_names(left)}"
        _event(trainee, Kind.CHANGED, text[:300], now, actor=user)
        _settle(trainee, now, actor=user)
    return trainee


def _locked(trainee):
    return (
        Trainee.objects.select_for_update()
        .select_related("program", "interviewer", "tenant")
        .get(pk=trainee.pk)
    )


def _person(user):
    if user is None or not user.is_authenticated:
        return "Convene"
    return user.get_full_name() or user.email


def _names(names):
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _event(trainee, kind, text, now, *, actor=None):
    """One line of the trainee's history, and the same in the team's audit log."""
    actor = actor if actor is not None and actor.is_authenticated else None
    # Several lines written at one instant (counted, then moved on) keep their order.
    last = trainee.history.order_by("-at").values_list("at", flat=True).first()
    at = max(now, last + dt.timedelta(microseconds=1)) if last else now
    TrainingEvent.objects.create(trainee=trainee, at=at, kind=kind, text=text[:300], actor=actor)
    audit(
        trainee.tenant,
        f"training.{kind}",
        f"{trainee.interviewer.name} ({trainee.program.name}): {text}",
        actor=actor,
        actor_label="" if actor else "Convene",
        obj=trainee,
    )


# --- the admins' email --------------------------------------------------------------------------


def admins_to_ask(tenant):
    """The addresses of the team's admins, who approve a trainee's move on."""
    return sorted(
        {
            email
            for email in Membership.objects.filter(
                tenant=tenant, role=Membership.Role.ADMIN
            ).values_list("user__email", flat=True)
            if email
        }
    )


def progress_url(trainee):
    return settings.SITE_URL + reverse("training_progress", args=[trainee.program_id])


@outbox.sends("training_approval")
def send_approval_request(op):
    """The admins' email: a trainee reached their stage's count and waits for approval."""
    trainee = (
        Trainee.objects.select_related("program", "interviewer", "tenant")
        .filter(pk=op.payload["trainee"])
        .first()
    )
    if trainee is None or not trainee.awaiting_approval:
        return {"skipped": True, "why": "no approval is waited for any more"}
    to = admins_to_ask(trainee.tenant)
    if not to:
        return {"skipped": True, "unsent": True, "why": "the team has no admin with an email"}
    sent = emails.send(
        "training_approval",
        tenant=trainee.tenant,
        to=to,
        context={
            "trainee": trainee,
            "program": trainee.program,
            "done": done(trainee),
            "needed": needed(trainee),
            "sessions": SESSION_WORDS[trainee.stage][1],
            "next_stage": STAGE_WORDS[NEXT[trainee.stage]],
            "url": progress_url(trainee),
        },
        obj=trainee,
    )
    return {"sent_email": str(sent.pk)}


# --- the periodic job and what sets it off at once ---------------------------------------------


def count_due(now=None, *, tenant=None):
    """Count for every trainee who is still training and has a seat whose interview ended
    (of one tenant, or all). Returns how many credits were added or taken back."""
    now = now or timezone.now()
    trainees = Trainee.objects.filter(
        active=True,
        stage__in=list(NEXT),
        seats__role__in=TRAINEE_ROLES,
        seats__session__interview__end_at__lte=now,
    ).distinct()
    if tenant is not None:
        trainees = trainees.filter(tenant=tenant)
    changed = 0
    for trainee in trainees.only("pk"):
        # One trainee whose count fails (a bug, odd data) must not stop everyone else's:
        # logged, and tried again at the next turn.
        try:
            changed += recount(trainee, now=now)
        except Exception:
            logger.exception("Could not count the training of trainee %s", trainee.pk)
    return changed


def run_due(tenant=None):
    """The periodic job (per tenant)."""
    changed = count_due(tenant=tenant)
    return f"{changed} training session(s) counted or taken back" if changed else None


def recount_interview(interview, now=None):
    """Count again the trainees seated in an interview whose attendance, times, people or
    state changed, or whose trainer's feedback came in. Runs inside the sender's
    transaction, in a savepoint: a failure here is logged and never undoes their change
    (the periodic job counts again)."""
    trainees = Trainee.objects.filter(
        seats__session__interview=interview, seats__role__in=TRAINEE_ROLES
    ).distinct()
    for trainee in trainees.only("pk"):
        try:
            with transaction.atomic():
                recount(trainee, now=now)
        except Exception:
            logger.exception("Could not count the training of trainee %s", trainee.pk)


def _on_interview(sender, interview, **kwargs):
    recount_interview(interview)


def _on_feedback(sender, feedback, **kwargs):
    if feedback.trainee_verdicts:
        recount_interview(feedback.interview)


def connect():
    """Listen to what changes a count (called from AppConfig.ready())."""
    for signal in (
        signals.attendance_changed,
        signals.interview_canceled,
        signals.interview_changed,
    ):
        signal.connect(_on_interview, dispatch_uid=f"training-{id(signal)}")
    signals.feedback_submitted.connect(_on_feedback, dispatch_uid="training-feedback")


# The interviews the pages list a trainee's seats of, newest first.
def seats_of(trainee):
    return (
        feedback.training_seats()
        .filter(training=trainee)
        .select_related("training_credit")
        .order_by("-session__start_at")
    )


def seat_status(seat, now=None):
    """A seat as the progress pages show it: (state, words). State is "counted",
    "waiting", "upcoming" or "not_counted"."""
    state, why = _seat_state(seat, now or timezone.now())
    if state == "not_counted":
        return state, f"Not counted: {why}"
    return state, why


def _seat_state(seat, now):
    credit = getattr(seat, "training_credit", None)
    if credit is not None:
        return "counted", f"Counted toward {STAGE_WORDS[credit.stage]}"
    verdict = judge(seat, now)
    if verdict.waiting:
        if seat.session.interview.end_at > now:
            return "upcoming", "Upcoming"
        return "waiting", verdict.why[:1].upper() + verdict.why[1:]
    if not verdict.counts:
        return "not_counted", verdict.why
    stage = STAGE_OF_ROLE[seat.role]
    if not seat.training.active:
        return "not_counted", "the training is paused"
    if seat.training.stage != stage:
        return "not_counted", (
            f"{seat.interviewer.name} was no longer {STAGE_WORDS[stage]} when it ended"
        )
    return "waiting", "Counted at the next check (within a minute)"


# --- what the pages show ------------------------------------------------------------------------


@dataclasses.dataclass
class Progress:
    trainee: Trainee
    done: int
    needed: int | None
    # "2 of 2 shadow sessions done — next: reverse shadow ×1"
    line: str
    # [(stage label, state)] with state "done", "current" or "next", for the steps.
    steps: list

    @property
    def stage_label(self):
        return STAGE_LABELS[self.trainee.stage]


def progress(trainee):
    """Where the trainee stands, in words."""
    program = trainee.program
    count, of = done(trainee), needed(trainee)
    if trainee.stage == Stage.QUALIFIED:
        when = timezone.localtime(trainee.qualified_at) if trainee.qualified_at else None
        line = "Qualified" + (f" on {when:%-d %b %Y}" if when else "")
    else:
        one, many = SESSION_WORDS[trainee.stage]
        line = f"{count} of {of} {many if of != 1 else one} done — next: "
        if trainee.stage == Stage.SHADOW and program.reverse_shadow_count:
            line += f"reverse shadow ×{program.reverse_shadow_count}"
        else:
            line += "qualified"
        if trainee.awaiting_approval:
            line += " (waiting for an admin's approval)"
        if not trainee.active:
            line += " · paused"
    order = [Stage.SHADOW, Stage.REVERSE_SHADOW, Stage.QUALIFIED]
    here = order.index(trainee.stage)
    steps = [
        (
            {
                Stage.SHADOW: f"Shadow ×{program.shadow_count}",
                Stage.REVERSE_SHADOW: f"Reverse shadow ×{program.reverse_shadow_count}",
                Stage.QUALIFIED: "Qualified",
            }[stage],
            "done"
            if i < here or stage == Stage.QUALIFIED == trainee.stage
            else "current"
            if i == here
            else "next",
        )
        for i, stage in enumerate(order)
    ]
    return Progress(trainee, count, of, line, steps)


def progress_of(interviewer):
    """Where the interviewer stands in each program they are a trainee of, by program name
    ("Your training" on their home and on /me/training/)."""
    trainees = Trainee.objects.filter(tenant=interviewer.tenant_id, interviewer=interviewer)
    trainees = trainees.select_related("program", "interviewer", "tenant")
    return [progress(t) for t in trainees.order_by("program__name")]


def sessions_of(trainee, now=None):
    """The trainee's seats, newest first, each with its state and words (`seat_status`)."""
    rows = []
    for seat in seats_of(trainee):
        state, why = _seat_state(seat, now or timezone.now())
        rows.append({"seat": seat, "state": state, "why": why, "did": _did(seat)})
    return rows


def trained_by(interviewer):
    """The trainees this interviewer trained: those seated in a session they sat in as a
    trainer or as one of the interviewers shadowed."""
    return (
        Trainee.objects.filter(
            tenant=interviewer.tenant_id,
            seats__role__in=TRAINEE_ROLES,
            seats__session__attendees__interviewer=interviewer,
            seats__session__attendees__active=True,
            seats__session__attendees__role__in=TRAINER_ROLES,
        )
        .exclude(interviewer=interviewer)
        .select_related("program", "interviewer")
        .distinct()
    )


def may_see(trainee, *, interviewer=None, is_admin=False):
    """Who sees a trainee's progress: the team's admins, the trainee, their trainers."""
    if is_admin:
        return True
    if interviewer is None:
        return False
    if trainee.interviewer_id == interviewer.pk:
        return True
    return trained_by(interviewer).filter(pk=trainee.pk).exists()

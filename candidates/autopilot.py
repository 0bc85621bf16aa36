"""Autopilot: an application that enters an interview stage schedules itself.

A plan says what happens when an application enters its stage (`InterviewPlan.autopilot`):
send the booking link, ask for the candidate's times, queue it for a recruiter's one-click
"Send" (the default), or nothing. Each actual move into a stage is one `StageEntry` (the
mirror's writer calls `stage_entered` wherever it restarts an application's stage clock, so
a sync and a webhook act alike); `run_due`, a periodic job, sends the entries whose delay
has passed, and `send_now` is the queue's one click. Both go through `_send`, which checks
every guardrail again at the moment of sending (`why_not`), under row locks on the team and
the entry, and sends only through the paths a recruiter's own sends take
(`links.send_links`, `availability.ask`: the email goes through the outbox in the same
transaction). `record` is the one home of a line of autopilot's feed and its audit entry
(docs/design.md, "One rule, one home").

Guardrails, each a reason in words on the entry:
- the application is closed, gone from the ATS, or left the stage before the send;
- the candidate has no usable email address;
- the application already has an open link or an active interview for the plan;
- the plan's autopilot was turned off since (paused: the entry waits and goes after resume);
- an entry is acted on once (the unique constraint on application, plan and entered_at, and
  the state re-read under the lock);
- an application moved into a plan's stage more than the team's limit is left to a recruiter;
- the team's daily cap: what is over it is HELD until the next day on the team's clock.
A recruiter's one click is their decision: it is not counted against the cap nor held by it.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from scheduling import plans
from scheduling.lib import zones
from scheduling.models import Interview, InterviewPlan, Membership, Tenant, audit

from . import availability, links
from .models import Application, AutopilotEvent, BookingLink, StageEntry

# The audit log's actor for what autopilot does by itself (AuditEntry.actor_label).
ACTOR = "Autopilot"
# Reasonable hours to receive an email, on the candidate's clock.
SEND_FROM = dt.time(8)
SEND_UNTIL = dt.time(20)
# Entries one run of the job looks at, at most (the next turn takes the rest).
BATCH = 200

Rule = InterviewPlan.Autopilot
State = StageEntry.State
Kind = AutopilotEvent.Kind
# What the job or a click may still act on.
OPEN_STATES = (State.WAITING, State.QUEUED, State.HELD)


class NotSent(Exception):
    """The one click could not send, the entry unchanged (the plan is paused or off)."""


# --- when ------------------------------------------------------------------------------------


def within_hours(at, zone_name):
    """`at`, or the next 08:00 on the clock of `zone_name` when `at` falls outside
    08:00–20:00 there (that day's, or the next day's after 20:00)."""
    zone = zones.zone(zone_name)
    local = at.astimezone(zone)
    if SEND_FROM <= local.time() < SEND_UNTIL:
        return at
    day = local.date() if local.time() < SEND_FROM else local.date() + dt.timedelta(days=1)
    # 08:00 is never in a gap the clocks skip (those come at night), so it exists once.
    return dt.datetime.combine(day, SEND_FROM, tzinfo=zone).astimezone(dt.UTC)


def candidate_zone(candidate):
    """The candidate's zone when Convene knows it (booking page, recruiter, ATS address),
    else ""."""
    return candidate.timezone if zones.is_zone(candidate.timezone) else ""


def due_at(entered_at, plan, candidate):
    """When an entry is due: `entered_at` plus the plan's delay, moved forward into the
    candidate's reasonable hours (08:00–20:00 on their clock) when the plan asks for it and
    their zone is known."""
    at = entered_at + dt.timedelta(minutes=plan.autopilot_delay_minutes)
    zone = candidate_zone(candidate)
    if plan.autopilot_reasonable_hours and zone:
        at = within_hours(at, zone)
    return at


def next_day(tenant, plan, candidate, now):
    """When an entry held by the daily cap goes: the start of the team's next day, within
    the candidate's hours when the plan asks for them."""
    zone = zones.zone(tenant.default_timezone)
    tomorrow = timezone.localtime(now, zone).date() + dt.timedelta(days=1)
    at = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=zone).astimezone(dt.UTC)
    if plan.autopilot_reasonable_hours and candidate_zone(candidate):
        at = within_hours(at, candidate_zone(candidate))
    return at


def sent_today(tenant, now):
    """How many entries autopilot sent by itself since midnight on the team's clock."""
    zone = zones.zone(tenant.default_timezone)
    midnight = dt.datetime.combine(timezone.localtime(now, zone).date(), dt.time(0), tzinfo=zone)
    return StageEntry.objects.filter(
        tenant=tenant, sent_at__gte=midnight, sent_by__isnull=True, state__in=_SENT_STATES
    ).count()


# Entries that were sent (what happened after does not give the send back).
_SENT_STATES = (State.SENT, State.BOOKED, State.RETURNED)


def cap_reached(tenant, now=None):
    """Whether today's cap stops autopilot now (the pipeline's "Autopilot paused" line)."""
    return sent_today(tenant, now or timezone.now()) >= tenant.autopilot_daily_cap


# --- words -----------------------------------------------------------------------------------


def _what(action):
    if action == Rule.AVAILABILITY:
        return "the request for their times"
    return "the booking link"


def _clock(tenant, at):
    return timezone.localtime(at, zones.zone(tenant.default_timezone)).strftime("%a %-d %b %H:%M")


def what_it_sends(entry):
    """The queue's line: what the one click sends and to whom."""
    candidate = entry.application.candidate
    to = f"{candidate.name} ({candidate.email})" if candidate.email else candidate.name
    what = "Ask for times" if entry.plan.autopilot == Rule.AVAILABILITY else "Booking link"
    return f"{what} for the “{entry.plan}” plan to {to}"


# --- the feed and the audit ------------------------------------------------------------------


def record(
    entry_or_tenant,
    kind,
    text,
    *,
    user=None,
    plan=None,
    application=None,
    now=None,
    audited=True,
):
    """The one home of a feed line: an AutopilotEvent and its audit entry, by `user` or,
    without one, "Autopilot" as the actor. `entry_or_tenant` is a StageEntry (its tenant,
    plan and application are taken from it) or a Tenant (a plan's pause, say). A line that
    repeats what is in the audit log already under whoever did it (a booking) passes
    `audited=False`, so the interview's history does not say it twice. Returns the event."""
    entry = entry_or_tenant if isinstance(entry_or_tenant, StageEntry) else None
    tenant = entry.tenant if entry is not None else entry_or_tenant
    if entry is not None:
        plan = plan or entry.plan
        application = application or entry.application
    with transaction.atomic():
        event = AutopilotEvent.objects.create(
            tenant=tenant,
            entry=entry,
            plan=plan,
            application=application,
            kind=kind,
            text=text[:300],
            at=now or timezone.now(),
        )
        if not audited:
            return event
        audit(
            tenant,
            f"autopilot.{kind}",
            text,
            actor=user,
            actor_label="" if user is not None and user.is_authenticated else ACTOR,
            obj=application if application is not None else plan,
            plan=str(plan.pk) if plan is not None else "",
            entry=str(entry.pk) if entry is not None else "",
        )
    return event


# --- entering a stage ------------------------------------------------------------------------


def stage_entered(application, *, now=None):
    """An application moved into a stage (the mirror calls this where it restarts
    `stage_entered_at`). Finds the plan for the new stage (`plans.plan_for`) and makes the
    StageEntry for this move (idempotent on the unique constraint) with its feed line:
    WAITING until its due time, QUEUED for a recruiter, or SKIPPED when the application
    reached the team's limit of entries for the plan. Returns the entry, or None when the
    stage is no interview stage, no plan applies or the plan does nothing."""
    now = now or timezone.now()
    tenant = application.tenant
    if (
        application.is_closed
        or application.stage_entered_at is None
        or application.status not in tenant.interview_statuses
    ):
        return None
    plan = plans.plan_for(application)
    if plan is None or plan.autopilot == Rule.OFF:
        return None
    candidate = application.candidate
    earlier = StageEntry.objects.filter(application=application, plan=plan).exclude(
        entered_at=application.stage_entered_at
    )
    over_limit = earlier.count() >= tenant.autopilot_entries_per_application
    queue = plan.autopilot == Rule.QUEUE
    try:
        with transaction.atomic():
            entry, created = StageEntry.objects.get_or_create(
                application=application,
                plan=plan,
                entered_at=application.stage_entered_at,
                defaults={
                    "tenant": tenant,
                    "action": plan.autopilot,
                    "due_at": application.stage_entered_at
                    if queue
                    else due_at(application.stage_entered_at, plan, candidate),
                    "state": State.SKIPPED
                    if over_limit
                    else (State.QUEUED if queue else State.WAITING),
                    "reason": (
                        f"moved into this stage more than "
                        f"{tenant.autopilot_entries_per_application} times: left to a recruiter"
                    )
                    if over_limit
                    else "",
                },
            )
    except IntegrityError:  # another writer made it in the same instant
        return StageEntry.objects.get(
            application=application, plan=plan, entered_at=application.stage_entered_at
        )
    if not created:
        return entry
    stage = application.stage_label
    if over_limit:
        record(
            entry,
            Kind.SKIPPED,
            f"Did not send {candidate} {_what(plan.autopilot)} for the “{plan}” plan: "
            f"{entry.reason}",
            now=now,
        )
    elif queue:
        record(
            entry,
            Kind.QUEUED,
            f"{candidate} moved to {stage}: the booking link for the “{plan}” plan waits "
            "for a recruiter to send it",
            now=now,
        )
    else:
        record(
            entry,
            Kind.ENTERED,
            f"{candidate} moved to {stage}: {_what(plan.autopilot)} for the “{plan}” plan "
            + (
                f"goes out {_clock(tenant, entry.due_at)}"
                if entry.due_at > now
                else "goes out now"
            ),
            now=now,
        )
    return entry


# --- sending ---------------------------------------------------------------------------------


def why_not(entry, application, plan, now):
    """Why the entry must not be sent now, in words, or "" (checked at the moment of sending,
    under the entry's lock)."""
    candidate = application.candidate
    if application.removed_at is not None:
        return "the application is no longer in the ATS"
    if application.is_closed:
        return f"the application was closed ({application.stage_label}) before it was sent"
    if application.stage_entered_at != entry.entered_at:
        return f"{candidate} left the stage before it was sent"
    if plan.autopilot == Rule.OFF:
        return f"autopilot was turned off for the “{plan}” plan"
    if not candidate.email:
        if candidate.emails:
            return f"{candidate} has no usable email address in the ATS"
        return f"{candidate} has no email address in the ATS"
    if BookingLink.objects.filter(
        application=application, plan=plan, state=BookingLink.State.OPEN, expires_at__gt=now
    ).exists():
        return f"{candidate} already has an open booking link for the “{plan}” plan"
    interview = (
        Interview.objects.active()
        .filter(application=application, plan=plan)
        .order_by("-start_at")
        .first()
    )
    if interview is not None:
        when = _clock(application.tenant, interview.start_at)
        return f"{candidate} already has an interview for the “{plan}” plan ({when})"
    return ""


def _skip(entry, reason, now, user=None):
    entry.state, entry.reason = State.SKIPPED, reason[:300]
    entry.save(update_fields=["state", "reason", "updated_at"])
    record(
        entry,
        Kind.SKIPPED,
        f"Did not send {entry.application.candidate} {_what(entry.action)} for the "
        f"“{entry.plan}” plan: {reason}",
        user=user,
        now=now,
    )


def _send(pk, *, user, now):
    """Act on one entry under row locks on the team (one sender at a time per team, so the
    cap counts exactly) and the entry (its state read again: never twice). `user`: the
    queue's one click; None: the job. Returns the entry."""
    with transaction.atomic():
        entry = StageEntry.objects.select_related("tenant").get(pk=pk)
        tenant = Tenant.objects.select_for_update().get(pk=entry.tenant_id)
        entry = (
            StageEntry.objects.select_for_update(of=("self",))
            .select_related("plan", "application__candidate", "application__job")
            .get(pk=pk)
        )
        entry.tenant = tenant
        application, plan = entry.application, entry.plan
        application.tenant = tenant
        plan.tenant = tenant
        if entry.state not in OPEN_STATES:
            if user is not None:
                raise NotSent(f"It was already handled: {entry.get_state_display().lower()}.")
            return entry
        if plan.autopilot_paused:
            if user is None:
                return entry  # it waits: sent after the plan is resumed
            raise NotSent(f"Autopilot is paused for the “{plan}” plan; resume it to send.")
        if user is not None and plan.autopilot == Rule.OFF:
            raise NotSent(
                f"Autopilot is off for the “{plan}” plan: use Schedule or Send booking links."
            )
        reason = why_not(entry, application, plan, now)
        if reason:
            _skip(entry, reason, now, user)
            return entry
        if user is None and plan.autopilot == Rule.QUEUE:
            entry.state, entry.action = State.QUEUED, plan.autopilot
            entry.save(update_fields=["state", "action", "updated_at"])
            record(
                entry,
                Kind.QUEUED,
                f"{application.candidate}'s booking link for the “{plan}” plan waits for a "
                "recruiter to send it",
                now=now,
            )
            return entry
        if user is None and sent_today(tenant, now) >= tenant.autopilot_daily_cap:
            if entry.state != State.HELD:
                entry.reason = f"today's cap of {tenant.autopilot_daily_cap} sends reached"
                record(
                    entry,
                    Kind.HELD,
                    f"Held {_what(plan.autopilot)} to {application.candidate} for the "
                    f"“{plan}” plan: {entry.reason}; it goes the next day",
                    now=now,
                )
            entry.state = State.HELD
            entry.due_at = next_day(tenant, plan, application.candidate, now)
            entry.save(update_fields=["state", "reason", "due_at", "updated_at"])
            return entry
        return _deliver(entry, application, plan, user=user, now=now)


def on_behalf_of(application):
    """The recruiter autopilot sends for: the job's first recruiter (as the ATS names them)
    who signs in to Convene as a recruiter or admin of the team. The link carries their name,
    and what comes back (times sent, a cancellation) is told to them; None when the ATS names
    nobody who signs in, and then the Pipeline and the Autopilot tab are where it shows."""
    if application.job_id is None:
        return None
    schedulers = Membership.objects.filter(
        tenant=application.tenant_id,
        role__in=[Membership.Role.ADMIN, Membership.Role.RECRUITER],
        user__is_active=True,
    ).exclude(user__email="")
    recruiter = (
        application.job.recruiters.filter(active=True, user__in=schedulers.values("user"))
        .select_related("user")
        .order_by("name")
        .first()
    )
    return recruiter.user if recruiter else None


def _deliver(entry, application, plan, *, user, now):
    """Send through the recruiter's own paths; the outbox emails it after the commit."""
    tenant = application.tenant
    expires_at = now + dt.timedelta(days=tenant.link_expiry_days)
    label = "" if user is not None else ACTOR
    if plan.autopilot == Rule.AVAILABILITY:
        requests, skipped = availability.ask(
            [application], plan=plan, user=user, expires_at=expires_at, now=now, actor_label=label
        )
        if skipped:
            _skip(entry, skipped[0].skip, now, user)
            return entry
        entry.availability_request, entry.link = requests[0], requests[0].link
        kind = Kind.SENT_REQUEST
        text = f"Asked {application.candidate} for the times they can do, for the “{plan}” plan"
    else:
        first, last = links.default_window(plan, tenant, now)
        sent, skipped = links.send_links(
            [application],
            plan=plan,
            user=user,
            window_start=first,
            window_end=last,
            expires_at=expires_at,
            actor_label=label,
        )
        if skipped:
            _skip(entry, skipped[0].skip, now, user)
            return entry
        entry.link = sent[0]
        kind = Kind.SENT_LINK
        text = f"Sent a booking link to {application.candidate} for the “{plan}” plan"
    if user is None and (recruiter := on_behalf_of(application)) is not None:
        # The email goes out after the commit, so it is signed by them too.
        BookingLink.objects.filter(pk=entry.link.pk, created_by=None).update(created_by=recruiter)
        entry.link.created_by = recruiter
        text += f", on behalf of {recruiter.get_full_name() or recruiter.email}"
    entry.state, entry.reason, entry.action = State.SENT, "", plan.autopilot
    entry.sent_at, entry.sent_by = now, user if user is not None else None
    entry.save()
    record(entry, kind, text, user=user, now=now)
    return entry


def run_due(tenant=None, now=None):
    """Send the entries whose due time has passed (every tenant, or one), re-checking every
    guardrail at the moment of sending and honouring the daily cap; a paused plan's entries
    wait. Returns how many were sent. The periodic job "autopilot"."""
    now = now or timezone.now()
    due = StageEntry.objects.filter(
        state__in=(State.WAITING, State.HELD), due_at__lte=now, plan__autopilot_paused=False
    )
    if tenant is not None:
        due = due.filter(tenant=tenant)
    sent = 0
    for pk in list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:BATCH]):
        if _send(pk, user=None, now=now).state == State.SENT:
            sent += 1
    return sent


def send_now(entry, *, user, now=None):
    """The queue's one-click "Send": the plan's link (or request) now, with the same
    guardrails and no delay. Returns the entry in its new state (SENT, or SKIPPED with the
    reason); raises NotSent, the entry unchanged, when the plan is paused or off or the entry
    was already handled."""
    return _send(entry.pk, user=user, now=now or timezone.now())


# --- the recruiter's switches and lists ------------------------------------------------------


def set_paused(plan, paused, *, user, now=None):
    """Pause or resume the plan's autopilot at once; paused entries wait and go after the
    resume, if still due and in their stage."""
    now = now or timezone.now()
    changed = InterviewPlan.objects.filter(pk=plan.pk, autopilot_paused=not paused).update(
        autopilot_paused=paused, autopilot_paused_at=now if paused else None
    )
    plan.autopilot_paused, plan.autopilot_paused_at = paused, now if paused else None
    if changed:
        record(
            plan.tenant,
            Kind.PAUSED if paused else Kind.RESUMED,
            f"{'Paused' if paused else 'Resumed'} autopilot for the “{plan}” plan",
            user=user,
            plan=plan,
            now=now,
        )
    return bool(changed)


def _for_recruiters(tenant, now, limit=50):
    """The entries waiting for a recruiter, oldest first: QUEUED (for the one click) and
    RETURNED (the follow-through gave up), whose application is still where it was (present,
    open, in the same stage) and has no active interview for the plan; a queued one also no
    open link for it (a recruiter may have sent one by hand since). One query."""
    open_link = BookingLink.objects.filter(
        application=OuterRef("application"),
        plan=OuterRef("plan"),
        state=BookingLink.State.OPEN,
        expires_at__gt=now,
    )
    interview = Interview.objects.active().filter(
        application=OuterRef("application"), plan=OuterRef("plan")
    )
    return list(
        StageEntry.objects.filter(tenant=tenant, state__in=(State.QUEUED, State.RETURNED))
        .filter(
            application__removed_at__isnull=True,
            application__stage_entered_at=F("entered_at"),
        )
        .exclude(application__status__in=Application.CLOSED_STATUSES)
        .exclude(Exists(interview))
        .exclude(Q(state=State.QUEUED) & (Exists(open_link) | Q(plan__autopilot=Rule.OFF)))
        .select_related("plan", "application__candidate", "application__job")
        .order_by("entered_at", "pk")[:limit]
    )


def queue(tenant, *, now=None):
    """The entries a recruiter's one click may send (see `_for_recruiters`)."""
    entries = _for_recruiters(tenant, now or timezone.now())
    return [e for e in entries if e.state == State.QUEUED]


def returned(tenant, *, now=None):
    """The entries autopilot gave back to the recruiters, with their reason."""
    entries = _for_recruiters(tenant, now or timezone.now())
    return [e for e in entries if e.state == State.RETURNED]


def held(tenant):
    """How many entries today's cap holds."""
    return StageEntry.objects.filter(tenant=tenant, state=State.HELD).count()


def automatic_plans(tenant):
    """The plans whose autopilot sends by itself (the pipeline's pause switches)."""
    return list(
        InterviewPlan.objects.filter(tenant=tenant)
        .filter(Q(autopilot=Rule.LINK) | Q(autopilot=Rule.AVAILABILITY))
        .order_by("name")
    )


def pipeline_context(tenant, now):
    """What the pipeline shows of autopilot: the queue ready for one click (each with what it
    sends to whom), the plans sending by themselves (their pause switches), and whether
    today's cap stopped it."""
    automatic = automatic_plans(tenant)
    held_count = held(tenant)
    stopped = bool(automatic or held_count) and cap_reached(tenant, now)
    waiting = _for_recruiters(tenant, now)
    return {
        "autopilot_queue": [
            (entry, what_it_sends(entry)) for entry in waiting if entry.state == State.QUEUED
        ],
        "autopilot_returned": [entry for entry in waiting if entry.state == State.RETURNED],
        "autopilot_plans": automatic,
        "autopilot_held": held_count,
        "autopilot_cap": tenant.autopilot_daily_cap,
        "autopilot_cap_reached": stopped,
    }

"""Autopilot: an application that enters an interview stage schedules itself.

A plan says what happens when an application enters its stage (`InterviewPlan.autopilot`):
send the booking link, ask for the candidate's times, queue it for a recruiter's one-click
"Send", or nothing. Each actual move is a `StageEntry` (the mirror calls `stage_entered`);
`run_due`, a periodic job, sends the entries whose delay has passed, re-checking every
guardrail at the moment of sending; `send_now` is the queue's one click. `record` is the one
home of a line of autopilot's feed and its audit entry (docs/design.md, "One rule, one home").
"""

from django.db import transaction
from django.utils import timezone

from scheduling.models import audit

from .models import AutopilotEvent, StageEntry

# The audit log's actor for what autopilot does by itself (AuditEntry.actor_label).
ACTOR = "Autopilot"


def due_at(entered_at, plan, candidate):
    """When an entry is due: `entered_at` plus the plan's delay, moved forward into the
    candidate's reasonable hours (08:00–20:00 on their clock) when the plan asks for it and
    their zone is known."""
    raise NotImplementedError


def stage_entered(application, *, now=None):
    """An application moved into a stage (the mirror calls this where it sets
    `stage_entered_at`). Finds the plan for the new stage (`plans.plan_for`), makes the
    StageEntry for this move (idempotent on the unique constraint) and its ENTERED / QUEUED
    line; returns the entry, or None when no plan applies, the plan does nothing, or the
    application reached the per-application limit."""
    raise NotImplementedError


def run_due(tenant=None, now=None):
    """Send the entries whose due time has passed (every tenant, or one), re-checking every
    guardrail at the moment of sending and honouring the daily cap. Returns how many were
    sent. The periodic job "autopilot"."""
    raise NotImplementedError


def send_now(entry, *, user, now=None):
    """The queue's one-click "Send": the plan's link (or request) now, with the same
    guardrails and no delay. Returns the entry in its new state."""
    raise NotImplementedError


def record(entry_or_tenant, kind, text, *, user=None, plan=None, application=None, now=None):
    """The one home of a feed line: an AutopilotEvent and its audit entry, by `user` or,
    without one, "Autopilot" as the actor. `entry_or_tenant` is a StageEntry (its tenant,
    plan and application are taken from it) or a Tenant (a plan's pause, say). Returns the
    event."""
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
        audit(
            tenant,
            f"autopilot.{kind}",
            text,
            actor=user,
            actor_label="" if user is not None else ACTOR,
            obj=entry if entry is not None else (application or plan),
            plan=str(plan.pk) if plan is not None else "",
        )
    return event


__all__ = [
    "ACTOR",
    "AutopilotEvent",
    "StageEntry",
    "due_at",
    "record",
    "run_due",
    "send_now",
    "stage_entered",
]

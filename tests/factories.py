"""Small builders for mirror rows, so tests say only what matters to them."""

import datetime as dt
import itertools

from django.utils import timezone

from candidates.models import Application, Candidate, Job, RemoteInterview
from scheduling import slots
from scheduling.models import Connection, Interviewer

_ids = itertools.count(1)


def remote_id(prefix="r"):
    return f"{prefix}{next(_ids)}"


def working_day(days_ahead=3, hour=15):
    """`hour` o'clock UTC on the first weekday at least `days_ahead` days from now: inside
    the default working hours of an interviewer in New York, whatever day the tests run."""
    day = timezone.now() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def connection(tenant, category=Connection.Category.ATS, **fields):
    return Connection.objects.create(
        tenant=tenant,
        category=category,
        integration_type=fields.pop("integration_type", "greenhouse"),
        integration_name=fields.pop("integration_name", "Greenhouse"),
        unified_id=fields.pop("unified_id", f"{next(_ids):024x}"),
        **fields,
    )


def interviewer(tenant, name="Ivy Interviewer", **fields):
    return Interviewer.objects.create(
        tenant=tenant,
        name=name,
        email=fields.pop("email", f"{name.split()[0].lower()}{next(_ids)}@example.com"),
        timezone=fields.pop("timezone", "America/New_York"),
        **fields,
    )


def job(conn, name="Backend Engineer", **fields):
    return Job.objects.create(
        tenant=conn.tenant, connection=conn, remote_id=remote_id("job"), name=name, **fields
    )


def candidate(conn, name="Grace Hopper", **fields):
    first = name.split()[0]
    return Candidate.objects.create(
        tenant=conn.tenant,
        connection=conn,
        remote_id=remote_id("cand"),
        name=name,
        first_name=first,
        email=fields.pop("email", f"{first.lower()}{next(_ids)}@candidates.example"),
        **fields,
    )


def application(conn, cand=None, job_=None, status="FIRST_INTERVIEW", days_in_stage=3, **fields):
    cand = cand or candidate(conn)
    return Application.objects.create(
        tenant=conn.tenant,
        connection=conn,
        remote_id=remote_id("app"),
        candidate=cand,
        job=job_,
        status=status,
        original_status=fields.pop("original_status", status.replace("_", " ").title()),
        stage_entered_at=timezone.now() - dt.timedelta(days=days_in_stage),
        remote_updated_at=fields.pop("remote_updated_at", timezone.now()),
        **fields,
    )


def remote_interview(app, start_in=dt.timedelta(days=2), status="SCHEDULED", **fields):
    start = timezone.now() + start_in
    fields.setdefault("remote_id", remote_id("int"))
    return RemoteInterview.objects.create(
        tenant=app.tenant,
        connection=app.connection,
        application=app,
        candidate=app.candidate,
        job=app.job,
        status=status,
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
        **fields,
    )


def one_session(title, start, required=(), pool=(), minutes=60):
    """The choice of one session of `title` at `start`, as the picker would hand it to
    `booking.book`: `required` and `pool` are interviewers."""
    people = tuple((str(p.pk), "required", None) for p in required)
    people += tuple((str(p.pk), "pool", None) for p in pool)
    end = start + dt.timedelta(minutes=minutes)
    return slots.Choice((slots.SessionChoice(title, start, end, people),))

"""Data a live-sandbox test owns in the Acme world (tests/integration/conftest.py's `acme`).

The sandbox seeds its calendars and pipeline from the day it runs, so which applications need
scheduling and which hours are free changes every day. A test that books, moves or follows
an interview makes what it asserts about instead:

    application = new_application(acme, "FIRST_INTERVIEW")   # in the sandbox ATS, mirrored
    day = free_days(acme, plan_people(plan))[0]              # their calendars cleared that day
    slot = slot_on(recruiter_client, url, day)               # the picker's first time that day

`acme` may be any dict with the sandbox handle ("sandbox"), the tenant's ATS connection
("ats") and, for clearing calendars, its calendar connection ("calendar"): `world_of` builds
one for a tenant connected through Connect.
"""

import datetime as dt
import itertools
import time
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from candidates import links
from candidates.models import Application
from candidates.sync import follow_interviews, run_sync, start_sync
from scheduling import connections, outbox
from scheduling.models import Connection, Operation, WebhookDelivery
from scheduling.unified.records import Interview as AtsInterview

_numbers = itertools.count(1)


def world_of(sandbox, tenant):
    """The `acme`-like dict of a tenant whose ATS and calendar were connected to the sandbox
    (through Connect, say: the connection ids are then new ones)."""
    connections = {c.category: c for c in Connection.objects.filter(tenant=tenant)}
    return {"sandbox": sandbox, "ats": connections["ats"], "calendar": connections.get("calendar")}


def team_zone(acme):
    return ZoneInfo(acme["ats"].tenant.default_timezone)


# --- applications ---------------------------------------------------------------------------


def sync(acme):
    """An incremental sync of the tenant's ATS, as the periodic job or a webhook would run."""
    run = run_sync(start_sync(acme["ats"]).pk)
    assert run.status == "succeeded", run.error
    return run


def _create(acme, status, *, job_id=None, name=None, email=None):
    """A new candidate and application in the sandbox ATS (not yet mirrored): its remote id."""
    number = next(_numbers)
    _, remote = acme["sandbox"].create_application(
        acme["ats"].unified_id,
        status=status,
        job_id=job_id,
        name=name or f"Noor Test{number}",
        email=f"noor.test{number}@example.org" if email is None else email,
    )
    return remote["id"]


def _mirrored(acme, remote_ids):
    # A Convene that follows the ATS has heard of the new records before the sync writes
    # them too (two writers at once lock SQLite's test database).
    assert acme["sandbox"].wait_deliveries(timeout=30), "the ATS's webhooks are still going out"
    sync(acme)
    rows = Application.objects.select_related("candidate", "job").filter(
        connection=acme["ats"], remote_id__in=remote_ids
    )
    by_id = {a.remote_id: a for a in rows}
    return [by_id[remote_id] for remote_id in remote_ids]


def new_application(acme, status="FIRST_INTERVIEW", *, name=None, email=None, job_id=None):
    """A new candidate in `status` in the sandbox ATS, mirrored into Convene; the default
    name and address are unique in the run."""
    remote_id = _create(acme, status, job_id=job_id, name=name, email=email)
    return _mirrored(acme, [remote_id])[0]


def new_applications(acme, statuses, *, job_id=None):
    """One new candidate in each of `statuses`, mirrored by one sync, in that order."""
    return _mirrored(acme, [_create(acme, status, job_id=job_id) for status in statuses])


# --- free days ------------------------------------------------------------------------------


def plan_people(plan):
    """Everyone a plan may seat: its sessions' required people, pool members and trainees."""
    people = set()
    sessions = plan.sessions.prefetch_related(
        "required", "pools__members", "pools__program__trainees__interviewer"
    )
    for session in sessions:
        people.update(session.required.all())
        for pool in session.pools.all():
            people.update(pool.members.all())
            if pool.program is not None:
                people.update(t.interviewer for t in pool.program.trainees.all())
    return sorted(people, key=lambda p: p.email)


def working_days(start, count):
    """`count` weekdays from `start` on (Monday to Friday), in order."""
    days = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def clear_day(acme, people, day):
    """Nothing on these people's calendars and no ATS interview naming them on the team's
    `day`: from the first midnight that starts `day` in the team's zone or any of theirs to
    the last that ends it (a New York day of a panel in New York and Los Angeles: 05:00 UTC
    to 08:00 UTC the next day). The neighbouring days keep what they hold, interviews
    booked there included. The ATS's interviews count toward load and caps (scheduling.load)
    as much as calendar events block time, so a day the test owns has neither."""
    zones = {team_zone(acme), *(ZoneInfo(p.timezone) for p in people if p.timezone)}
    start = min(dt.datetime.combine(day, dt.time(0), zone) for zone in zones)
    end = max(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zone) for zone in zones)
    sandbox = acme["sandbox"]
    emails = [p.email for p in people]
    sandbox.clear_calendars(acme["calendar"].unified_id, emails, start, end)
    removed = sandbox.clear_interviews(acme["ats"].unified_id, emails, start, end)
    # The mirror follows as the webhook has it follow (Convene may not be listening yet).
    follow_interviews(acme["ats"], [AtsInterview(id=i) for i in removed], "deleted")
    # Each deletion fires its webhooks: a Convene that follows these calendars has heard of
    # them all before the test goes on (or its handling of them races the test's own writes).
    assert sandbox.wait_deliveries(timeout=30), "the deletions' webhooks are still going out"
    cache.clear()  # busy blocks Convene fetched before are stale now


def free_days(acme, people, count=1, *, after=None):
    """The first `count` weekdays at least two days from now in the tenant's zone (past any
    plan's 24 hours' notice) and after the date `after`, with these people's calendars
    cleared on each. Consecutive weekdays: between two of them lies at most a weekend.

    Clear the days a test needs before it books: clearing deletes every event of the day,
    Convene's own too."""
    first = timezone.now().astimezone(team_zone(acme)).date() + dt.timedelta(days=2)
    if after is not None:
        first = max(first, after + dt.timedelta(days=1))
    days = working_days(first, count)
    for day in days:
        clear_day(acme, people, day)
    return days


def next_week():
    """The Monday of the first whole week the plans' 24 hours' notice leaves open: on a
    Sunday, next Monday is mostly too soon, so the week after."""
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return monday if (monday - today).days >= 2 else monday + dt.timedelta(days=7)


def monday_of(day):
    return day - dt.timedelta(days=day.weekday())


def dates_in(acme, zone, days):
    """The dates, on `zone`'s clock, of the team's working afternoons (14:00 in its zone) on
    `days`: a candidate in `zone` sees those days' times on these dates (Tokyo sees a New
    York afternoon on the next day)."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    team = team_zone(acme)
    return [dt.datetime.combine(d, dt.time(14), team).astimezone(zone).date() for d in days]


def globex_world(tenant, sandbox, capture, *, calendar=True):
    """Connect `tenant` to the sandbox's Globex world: Lever for the ATS (no scorecards, no
    interview writes: notes instead), Microsoft Outlook for calendars (opaque calendar ids, no
    video links), on London's clock; the ATS synced. The calendar, unless `calendar=False`,
    is connected as Connect does it (`after_connect`: its calendars listed and what it can
    do for meetings asked). `capture` is pytest-django's django_capture_on_commit_callbacks.
    Returns an `acme`-like dict: sandbox, ats, calendar."""
    tenant.default_timezone = "Europe/London"
    tenant.save()
    ats = Connection.objects.create(
        tenant=tenant,
        category="ats",
        integration_type="lever",
        integration_name="Lever",
        unified_id=sandbox.globex_ats,
    )
    with capture(execute=False):
        run = run_sync(start_sync(ats).pk)
    assert run.status == "succeeded", run.error
    world = {"sandbox": sandbox, "ats": ats, "calendar": None}
    if calendar:
        world["calendar"] = Connection.objects.create(
            tenant=tenant,
            category="calendar",
            integration_type="microsoftoutlook",
            integration_name="Microsoft Outlook",
            unified_id=sandbox.globex_calendar,
        )
        connections.after_connect(world["calendar"])
    return world


def link_far_away(acme, plan, recruiter, zone):
    """A booking link to `plan` for a new candidate of the sandbox ATS, over two weekdays
    cleared for the plan's people, as `zone` reads them (a New York afternoon is Tokyo's or
    Sydney's next morning). The team lets candidates book at any hour, every day: the team's
    working day is the far-away candidate's night. Not sent; the test opens it."""
    plan.candidate_hours_start = plan.candidate_hours_end = dt.time(0)
    plan.candidate_days = list(range(7))
    plan.save()
    dates = dates_in(acme, zone, free_days(acme, plan_people(plan), 2))
    return links.create_link(
        new_application(acme),
        plan,
        user=recruiter,
        window_start=dates[0],
        window_end=dates[-1],
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )


# --- the recruiter's picker -----------------------------------------------------------------


def slots_on(client, url, day):
    """The slots the picker at `url` offers on `day` (the tenant's local day)."""
    response = client.get(url, {"week": monday_of(day).isoformat()})
    assert response.status_code == 200, response.content.decode()[:2000]
    return [s for d in response.context["days"] if d["date"] == day for s in d["slots"]]


def slot_on(client, url, day, *, after=None):
    """The picker's first slot on `day` (starting after `after`, when given)."""
    for slot in slots_on(client, url, day):
        if after is None or slot.start > after:
            return slot
    raise AssertionError(f"the picker offers nothing on {day} although the day was cleared")


# --- waiting for what Convene does ------------------------------------------------------------


def drain():
    """Run every due operation, as the worker and the sweeper would, until none is left."""
    for _ in range(50):
        due = list(Operation.objects.filter(status="pending").values_list("pk", flat=True))
        if not any([outbox.perform(pk) for pk in due]):
            return


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def settled():
    """Wait until no delivery is left unprocessed. Convene's own write-back makes the sandbox
    send further deliveries, which the live server handles in the background; the test only
    looks at the outcome once they have all been dealt with."""
    unfinished = WebhookDelivery.objects.filter(status__in=["received", "processing"])
    assert wait_until(lambda: not unfinished.exists())
    assert not WebhookDelivery.objects.filter(status="failed").exists()

"""Data a live-sandbox test owns in the Acme world (tests/integration/conftest.py's `acme`).

The sandbox seeds its calendars and pipeline from the day it runs, so which applications need
scheduling and which hours are free changes every day. A test that books, moves or follows
an interview makes what it asserts about instead:

    application = new_application(acme, "FIRST_INTERVIEW")   # in the sandbox ATS, mirrored
    day = free_days(acme, [maya, sofia])[0]                  # their calendars cleared that day
    slot = slot_on(recruiter_client, url, day)               # the picker's first time that day
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from candidates.models import Application
from candidates.sync import run_sync, start_sync

_numbers = itertools.count(1)

# A local day anywhere on Earth lies within these hours of the same UTC date.
EARLIEST_OFFSET = dt.timedelta(hours=14)
LATEST_OFFSET = dt.timedelta(hours=12)


def sync(acme):
    """An incremental sync of the Acme ATS, as the periodic job or a webhook would run."""
    run = run_sync(start_sync(acme["ats"]).pk)
    assert run.status == "succeeded", run.error
    return run


def new_application(acme, status="FIRST_INTERVIEW", *, name=None, email=None, job_id=None):
    """A new candidate in `status` in the sandbox ATS, mirrored into Convene; the default
    name and address are unique in the run."""
    number = next(_numbers)
    _, remote = acme["sandbox"].create_application(
        acme["ats"].unified_id,
        status=status,
        job_id=job_id,
        name=name or f"Noor Test{number}",
        email=f"noor.test{number}@example.org" if email is None else email,
    )
    sync(acme)
    return Application.objects.select_related("candidate").get(
        connection=acme["ats"], remote_id=remote["id"]
    )


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
    """Nothing on these people's calendars on `day`, in any zone's reading of it."""
    midnight = dt.datetime.combine(day, dt.time(0), dt.UTC)
    acme["sandbox"].clear_calendars(
        acme["calendar"].unified_id,
        [p.email for p in people],
        midnight - EARLIEST_OFFSET,
        midnight + dt.timedelta(days=1) + LATEST_OFFSET,
    )
    cache.clear()  # busy blocks Convene fetched before are stale now


def free_days(acme, people, count=1, *, after=None):
    """The first `count` weekdays at least two days from now in the tenant's zone (past any
    plan's 24 hours' notice) and after `after`, with these people's calendars cleared on each.
    """
    zone = ZoneInfo(acme["ats"].tenant.default_timezone)
    first = timezone.now().astimezone(zone).date() + dt.timedelta(days=2)
    if after is not None:
        first = max(first, after + dt.timedelta(days=1))
    days = working_days(first, count)
    for day in days:
        clear_day(acme, people, day)
    return days


def monday_of(day):
    return day - dt.timedelta(days=day.weekday())


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

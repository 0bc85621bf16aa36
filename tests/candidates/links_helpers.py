"""Helpers for booking-link tests (the fixtures are in conftest.py)."""

import datetime as dt

from django.urls import reverse

from candidates import links

# A Tuesday; links offer the next two working weeks.
NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)


def make_link(application, plan, user, *, days=7, start=dt.date(2026, 12, 2), length=14):
    return links.create_link(
        application,
        plan,
        user=user,
        window_start=start,
        window_end=start + dt.timedelta(days=length - 1),
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=days),
        send=False,
    )


def url(name, link, *args):
    return reverse(f"booking_{name}", args=[links.token_for(link), *args])

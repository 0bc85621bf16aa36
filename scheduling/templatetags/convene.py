"""Small template filters used across Convene's pages (loaded as a builtin)."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from ..lib import labels, outside, timefmt, zones

register = template.Library()


@register.filter
def days_since(value, now=None):
    """Whole days from `value` to now: 0 today, 1 yesterday, …; "" when unknown."""
    if not value:
        return ""
    now = now or timezone.now()
    return max(0, (now - value).days)


@register.filter
def ago(value, now=None):
    """How long ago, as people say it: "just now" within a minute, else "5 minutes ago"."""
    if not value:
        return ""
    now = now or timezone.now()
    if now - value < dt.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, now).split(',')[0]} ago"


@register.filter
def in_zone(value, zone_name):
    """A datetime as the named IANA zone's clock reads it (UTC when the name is unknown).

    The wall-clock time comes back naive on purpose: Django's date and time filters turn an
    aware datetime back into the page's own zone, which would undo this one (a recruiter's
    page showing a candidate's time)."""
    if not value:
        return value
    return value.astimezone(zones.zone(zone_name)).replace(tzinfo=None)


@register.filter
def thousands(value):
    """A count with thousands separated as English writes them: 12,345."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def enum_label(value):
    """An enum value in words: "NEEDS_SCHEDULING" → "Needs scheduling"."""
    return labels.enum_label(value)


@register.filter
def add_days(value, days):
    """A date `days` later (earlier when negative)."""
    return value + dt.timedelta(days=int(days)) if value else value


@register.filter
def changes_people(slot, seats):
    """Whether moving an interview whose people sit as `seats` ({session key: {interviewer
    id: …}}) to the engine's `slot` would change someone: a person who sits now and could
    not at the slot's time (a pool keeps whoever can stay)."""
    for part in slot.sessions:
        now = seats.get(part.session) if seats else None
        if not now:
            continue
        could = {*part.interviewers, *part.trainees}
        could.update(alt for pick in part.pools for alt in pick.alternates)
        if any(pid not in could for pid in now):
            return True
    return False


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def clock(value, cycle=timefmt.DEFAULT):
    """A time of day in 12- or 24-hour form (`cycle`, from `lib.timefmt.for_request`)."""
    if not value:
        return ""
    return timefmt.clock(value, cycle)


@register.filter
def zone_place(name):
    """A zone as people know it: "India — Kolkata"."""
    return zones.place(name) if name else ""


@register.filter
def zone_offset(value, zone_name):
    """The named zone's UTC offset at a datetime: "UTC+5:30"."""
    if not value:
        return ""
    return zones.offset(zones.zone(zone_name), value)


@register.filter
def zone_described(value, zone_name):
    """The named zone as emails name it, at a datetime: "Kolkata time (India, UTC+5:30)"."""
    if not value:
        return ""
    return zones.describe(zone_name, value)


@register.filter
def is_web_url(value):
    """Whether `value` may be a link's href: http(s) only (lib.outside), so a `javascript:`
    URL stored before it was checked shows as text, never as a link."""
    return outside.is_web_url(value)


@register.filter
def is_email(value):
    """Whether `value` is one email address Convene can send to (lib.outside)."""
    return bool(outside.email_address(value))

"""Time zones: the one place where a stored IANA name becomes a zone.

Names come from people (a profile, a browser, the ATS) and may be empty, misspelt or a
legacy alias; every caller gets a usable zone, never an exception.
"""

import functools
import zoneinfo

UTC = zoneinfo.ZoneInfo("UTC")


@functools.cache
def names():
    """Every zone name this machine's tz database knows (legacy aliases included)."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name):
    return bool(name) and name in names()


def name_or(name, default="UTC"):
    """`name` when it is a known zone, else `default`."""
    return name if is_zone(name) else default


def zone(name, default="UTC"):
    """The zone `name` names, or `default`'s when it names none."""
    return zoneinfo.ZoneInfo(name_or(name, name_or(default)))

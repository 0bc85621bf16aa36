"""Values from outside — Unified's records, a URL's query, a form — checked before Convene
believes them: the one home of what makes a web address a link, an email address usable,
and a date worth computing with.
"""

import datetime as dt
import logging
import urllib.parse

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

logger = logging.getLogger(__name__)

WEB_SCHEMES = ("http", "https")
MAX_EMAIL_LENGTH = 254

# Dates are believed between these: far wider than any interview, record or week a person
# can ask for, and far enough inside Python's years 1 to 9999 that adding a week or moving
# to another time zone never overflows (`9999-12-31` in a URL was a 500).
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


# --- web addresses ------------------------------------------------------------------------------


def web_url(value, *, what="a web address"):
    """`value` when it is an http(s) URL naming a host, which may be shown or stored as a
    link; else "" (a `javascript:` or `data:` URL from an ATS or a calendar would run in the
    page or the mail client that opened it), with the reason logged."""
    text = str(value or "").strip()
    if not text:
        return ""
    reason = _not_a_web_url(text)
    if reason is None:
        return text
    logger.warning("Dropped %s from outside: %s (%r)", what, reason, text[:200])
    return ""


def _not_a_web_url(text):
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in text):
        return "it contains spaces or control characters"
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
    except ValueError:
        return "it is not a URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"its scheme is {parts.scheme or 'missing'}, not http or https"
    if not host:
        return "it names no host"
    return None


def is_web_url(value):
    """Whether `value` may be shown as a link (for values stored before they were checked, or
    typed by a recruiter): the same rule as `web_url`, without logging."""
    text = str(value or "").strip()
    return bool(text) and _not_a_web_url(text) is None


# --- email addresses ----------------------------------------------------------------------------


def email_address(value):
    """`value`, stripped, when it is one email address Convene can send to; else "" (two
    addresses in one field, a name, a typo: an SMTP server refuses them, every time)."""
    text = str(value or "").strip()
    if not text or len(text) > MAX_EMAIL_LENGTH:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        return ""
    return text


# --- search terms -------------------------------------------------------------------------------


def search_text(value, max_length=200):
    """What someone typed into a search box (or a URL's `q`): trimmed, at most `max_length`
    characters, and without NUL characters, which PostgreSQL's text cannot hold (`?q=%00`
    was a 500 there)."""
    return str(value or "").replace("\x00", "").strip()[:max_length]


# --- dates --------------------------------------------------------------------------------------


def plausible(value):
    """`value` (a date or an aware datetime) when it lies between EARLIEST and LATEST, else
    None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return None
        try:
            utc = value.astimezone(dt.UTC)
        except OverflowError:
            return None
        return value if EARLIEST <= utc < LATEST else None
    return value if EARLIEST.date() <= value < LATEST.date() else None


def date_from(text):
    """The date an ISO `YYYY-MM-DD` string names, when plausible; else None."""
    try:
        return plausible(dt.date.fromisoformat(str(text or "").strip()))
    except ValueError:
        return None

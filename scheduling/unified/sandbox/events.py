"""Calendar logic: event times, all-day days, busy blocks, meeting links.

Choices where docs/unified.md says "unconfirmed" (§7, §14.4, §14.9, §14.10):
  * Timed events are sent as UTC `2026-03-02T14:00:00Z` with the event's IANA `timezone`;
    all-day events as date-only strings, `end_at` exclusive (`2026-12-01` → `2026-12-02`),
    like Google and Graph.
  * An attendee who has not answered has no `status` key.
  * Busy blocks come from the calendar's own events and from events whose attendees include
    the calendar's owner (an invitation blocks time as it does in Google and Outlook), minus
    free (`is_free`) and canceled events and invitations the owner declined. Tentative
    events and unanswered invitations count as busy. All-day events block whole local days
    in the zone of the calendar asked about. Blocks are clipped to the window and merged.
  * `start_gte`/`end_lt` on event lists select events that overlap the window (the vendors'
    timeMin/timeMax semantics); on busy they are required (400 without them).
"""

import datetime as dt
import hashlib
import string
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .store import format_instant

UTC = dt.UTC
DAY = dt.timedelta(days=1)
EVENT_STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELED")
ATTENDEE_STATUSES = ("ACCEPTED", "REJECTED", "TENTATIVE")
ATTENDEE_KEYS = ("email", "name", "user_id", "required", "is_cohost", "status")


def zone(name, fallback="UTC"):
    try:
        return ZoneInfo(name or fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def is_zone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def parse_instant(value, tz=UTC):
    """An aware UTC datetime from an ISO string; a naive one is read in `tz`."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not a date-time string")
    parsed = dt.datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(UTC)


def is_date_only(value):
    if not isinstance(value, str) or len(value.strip()) != 10:
        return False
    try:
        dt.date.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def day_span(first: dt.date, after_last: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
    """Whole local days [first, after_last) in zone `tz`, as UTC instants."""
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(UTC)
    end = dt.datetime.combine(after_last, dt.time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def event_span(doc, tz):
    """(start, end) in UTC of an event document; all-day days are read in `tz`."""
    if doc.get("is_all_day"):
        first = dt.date.fromisoformat(doc["start_at"][:10])
        after = dt.date.fromisoformat(doc["end_at"][:10]) if doc.get("end_at") else first + DAY
        return day_span(first, max(after, first + DAY), tz)
    return parse_instant(doc["start_at"]), parse_instant(doc["end_at"])


def span_columns(doc, tz):
    start, end = event_span(doc, tz)
    return format_instant(start), format_instant(end)


def normalize_times(doc, tz):
    """Check and rewrite `start_at`/`end_at`/`is_all_day` of an event being written.
    Raises ValueError with a message fit for a 400."""
    start, end = doc.get("start_at"), doc.get("end_at")
    if start is None:
        raise ValueError("start_at is required")
    all_day = doc.get("is_all_day")
    if all_day is None:
        all_day = is_date_only(start)
    if all_day:
        try:
            first = dt.date.fromisoformat(str(start)[:10])
            after = dt.date.fromisoformat(str(end)[:10]) if end else first + DAY
        except ValueError:
            raise ValueError("start_at/end_at of an all-day event must be dates") from None
        if after <= first:
            raise ValueError("end_at must be after start_at")
        doc.update(start_at=first.isoformat(), end_at=after.isoformat(), is_all_day=True)
        return
    if end is None:
        raise ValueError("end_at is required")
    try:
        start_utc, end_utc = parse_instant(start, tz), parse_instant(end, tz)
    except ValueError:
        raise ValueError("start_at and end_at must be ISO-8601 date-times") from None
    if end_utc <= start_utc:
        raise ValueError("end_at must be after start_at")
    doc.update(
        start_at=format_instant(start_utc), end_at=format_instant(end_utc), is_all_day=False
    )


def clean_attendees(value):
    if not isinstance(value, list):
        raise ValueError("attendees must be a list")
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError("each attendee must be an object")
        status = item.get("status")
        if status is not None and status not in ATTENDEE_STATUSES:
            raise ValueError(f"attendee status must be one of {', '.join(ATTENDEE_STATUSES)}")
        for key in ("email", "name", "user_id"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ValueError(f"attendee {key} must be a string")
        out.append({k: item[k] for k in ATTENDEE_KEYS if item.get(k) is not None})
    return out


def meeting_code(seed):
    """A Meet-style code, xxx-xxxx-xxx, derived from `seed`."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    letters = [string.ascii_lowercase[b % 26] for b in digest[:10]]
    return "".join(letters[:3]) + "-" + "".join(letters[3:7]) + "-" + "".join(letters[7:10])


def google_meet(seed):
    code = meeting_code(seed)
    return [
        {
            "url": f"https://meet.sandbox.test/{code}",
            "label": "Google Meet",
            "conference_identifier": code,
        }
    ]


def attends(doc, email):
    """Whether `email` is on the event and has not declined."""
    for attendee in doc.get("attendees") or ():
        if (attendee.get("email") or "").lower() == email:
            return attendee.get("status") != "REJECTED"
    return False


def blocks_time(doc, calendar_id, owner_email):
    if doc.get("is_free") or doc.get("status") == "CANCELED":
        return False
    if doc.get("calendar_id") == calendar_id:
        # The owner's own event, unless they declined it (an invitation copied in).
        return not owner_email or attends(doc, owner_email) or not _listed(doc, owner_email)
    return bool(owner_email) and attends(doc, owner_email)


def _listed(doc, email):
    return any((a.get("email") or "").lower() == email for a in doc.get("attendees") or ())


def busy_blocks(docs, *, calendar_id, owner_email, tz, start, end):
    """Merged busy intervals of one calendar within [start, end), as CalendarBusy objects."""
    owner_email = (owner_email or "").lower()
    spans = []
    for doc in docs:
        if not blocks_time(doc, calendar_id, owner_email):
            continue
        s, e = event_span(doc, tz)
        s, e = max(s, start), min(e, end)
        if s < e:
            spans.append((s, e))
    spans.sort()
    merged = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [{"start_at": format_instant(s), "end_at": format_instant(e)} for s, e in merged]

"""Lengths of time before something, in words and back: "24 hours, 1 hour" ⇄ [1440, 60]
(minutes). What a team writes for its reminder times, and how every page says them."""

import re

# "24", "24h", "24 hours", "1.5 hours", "30m", "30 min", "2 days", "1 week"
_PART = re.compile(
    r"^\s*(?P<number>\d+(?:[.,]\d+)?)\s*"
    r"(?P<unit>w|wk|wks|weeks?|d|days?|h|hr|hrs|hours?|m|min|mins|minutes?)?\s*$",
    re.IGNORECASE,
)
_MINUTES_PER = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}


class Unreadable(ValueError):
    """A part of the text that is not a length of time; the message says which, in words."""


def parse(text, *, shortest=1, longest=None):
    """The lengths written in `text` (comma- or "and"-separated), in minutes, longest first,
    each once. A bare number is hours. Unreadable when a part is not a length of time or is
    outside [shortest, longest] minutes."""
    parts = [p for p in re.split(r",|;|\band\b", text or "", flags=re.IGNORECASE) if p.strip()]
    found = set()
    for part in parts:
        match = _PART.match(part)
        if not match:
            raise Unreadable(
                f"“{part.strip()}” is not a length of time: write hours or minutes, like "
                "“24 hours, 1 hour” or “30 minutes”."
            )
        number = float(match["number"].replace(",", "."))
        unit = (match["unit"] or "h")[0].lower()
        minutes = round(number * _MINUTES_PER[unit])
        if minutes < shortest:
            raise Unreadable(f"“{part.strip()}” is too short: at least {words(shortest)}.")
        if longest is not None and minutes > longest:
            raise Unreadable(f"“{part.strip()}” is too long: at most {words(longest)}.")
        found.add(minutes)
    return sorted(found, reverse=True)


def words(minutes):
    """90 → "1 hour 30 minutes", 1440 → "24 hours", 10080 → "7 days" (hours up to two days,
    the way people say reminder times)."""
    minutes = int(minutes)
    if minutes >= 48 * 60 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    said = []
    if hours:
        said.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        said.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(said)


def list_words(values):
    """[1440, 60] → "24 hours, 1 hour" (the form's text; "" for none)."""
    return ", ".join(words(m) for m in sorted(values or (), reverse=True))

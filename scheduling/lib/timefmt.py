"""Times of day as the reader writes them: 12- or 24-hour, by their locale.

Which convention a locale uses comes from the Unicode CLDR (through Babel): its short time
pattern has an hour of 1–12 (`h`, `K`) or of 0–23 (`H`, `k`). A browser says its locales in
`Accept-Language`; the first one CLDR knows decides.

>>> hour_cycle("en-US,en;q=0.9"), hour_cycle("en-GB"), hour_cycle("de-DE,de;q=0.8")
(12, 24, 24)
>>> import datetime as dt
>>> clock(dt.time(18, 30), 12), clock(dt.time(0, 5), 12), clock(dt.time(18, 30), 24)
('6:30\\xa0pm', '12:05\\xa0am', '18:30')
"""

import functools

from babel import Locale, UnknownLocaleError
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT = 24


@functools.lru_cache(maxsize=256)
def _cycle_of(tag):
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    pattern = locale.time_formats["short"].pattern
    # Quoted literals ('h' in some languages' text) are not fields.
    fields = "".join(part for n, part in enumerate(pattern.split("'")) if n % 2 == 0)
    return 12 if ("h" in fields or "K" in fields) else 24


def hour_cycle(accept_language):
    """12 or 24: the convention of the first locale in an Accept-Language header that CLDR
    knows; 24 when none (the form the rest of the world reads without trouble)."""
    for tag, _quality in parse_accept_lang_header(accept_language or "")[:8]:
        if tag == "*":
            continue
        cycle = _cycle_of(tag)
        if cycle:
            return cycle
    return DEFAULT


def clock(value, cycle=DEFAULT):
    """A time (or datetime) of day in the convention: "18:30" or "6:30 pm" (no-break space)."""
    if cycle != 12:
        return f"{value:%H:%M}"
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}\xa0{'am' if value.hour < 12 else 'pm'}"


def for_request(request):
    """The hour cycle of the person making a request (from their browser's languages)."""
    return hour_cycle(request.headers.get("Accept-Language", ""))

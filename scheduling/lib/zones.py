"""Time zones: the one place where a stored IANA name becomes a zone, and where a zone gets
the name people know it by.

Names come from people (a profile, a browser, the ATS) and may be empty, misspelt or a
legacy alias; every caller gets a usable zone, never an exception.

What a person sees of a zone comes from the tz database's own tables (the `tzdata` package):
`zone.tab` has one line per zone a country uses (its country and a note such as "Pacific"),
`iso3166.tab` the countries, and `tzdata.zi` the links that keep old names working
(`Asia/Calcutta` → `Asia/Kolkata`, `US/Pacific` → `America/Los_Angeles`). A *canonical* zone is
one of `zone.tab`'s, or UTC; a legacy name is shown as the canonical zone it links to.

>>> canonical("Asia/Calcutta"), canonical("US/Pacific"), canonical("Etc/UTC")
('Asia/Kolkata', 'America/Los_Angeles', 'UTC')
>>> import datetime as dt
>>> at = dt.datetime(2026, 7, 1, 8, 35, tzinfo=dt.UTC)
>>> label("Asia/Calcutta", at)
'India — Kolkata (UTC+5:30), 14:05 now'
>>> describe("America/Los_Angeles", at)
'Los Angeles time (United States, UTC−7)'
"""

import datetime as dt
import functools
import importlib.resources
import re
import unicodedata
import zoneinfo

from babel import Locale

UTC = zoneinfo.ZoneInfo("UTC")
UTC_NAMES = frozenset(
    {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"}
    | {"GMT", "Etc/GMT", "Etc/GMT+0", "Etc/GMT-0", "Etc/GMT0", "GMT+0", "GMT-0", "GMT0"}
    | {"Etc/Greenwich", "Greenwich"}
)

# The zones most candidates and teams are in, shown first in pickers (canonical names).
COMMON = (
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Europe/Athens",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
)


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


# --- the tz database's tables --------------------------------------------------------------


def _read(filename):
    return importlib.resources.files("tzdata.zoneinfo").joinpath(filename).read_text("utf-8")


@functools.cache
def _tables():
    """({zone: (country code, note)}, {country code: name}, {link: target})."""
    places = {}
    for line in _read("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split("\t")
        places[parts[2]] = (parts[0], parts[3] if len(parts) > 3 else "")
    countries = {}
    for line in _read("iso3166.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name = line.split("\t", 1)
        countries[code] = name.strip()
    links = {}
    for line in _read("tzdata.zi").splitlines():
        if line.startswith("L "):
            _l, target, link = line.split()
            links[link] = target
    return places, countries, links


def canonical(name):
    """The canonical zone for a name: itself when it is one, the zone a legacy name links
    to, "UTC" for UTC's many names; the name unchanged when the tables do not know it."""
    if not name:
        return name
    if name in UTC_NAMES:
        return "UTC"
    places, _countries, links = _tables()
    seen = set()
    while name not in places and name in links and name not in seen:
        seen.add(name)
        name = links[name]
    return "UTC" if name in UTC_NAMES else name


def canonical_or(name, default="UTC"):
    """The canonical name of a known zone, else of `default`."""
    return canonical(name_or(name, name_or(default)))


@functools.cache
def picker_names():
    """The zones a person picks from: every canonical zone, and UTC."""
    places, _countries, _links = _tables()
    return ("UTC", *sorted(places))


@functools.cache
def aliases():
    """{canonical zone: (legacy names that link to it, …)}."""
    found = {}
    for link in _tables()[2]:
        target = canonical(link)
        if target != link:
            found.setdefault(target, []).append(link)
    for name in UTC_NAMES:
        found.setdefault("UTC", []).append(name)
    return {target: tuple(sorted(set(links))) for target, links in found.items()}


def city(name):
    """The city a zone is named after: "Asia/Kolkata" → "Kolkata".

    >>> city("America/Argentina/Buenos_Aires"), city("UTC")
    ('Buenos Aires', 'UTC')
    """
    name = canonical(name)
    return name.rsplit("/", 1)[-1].replace("_", " ")


@functools.cache
def country(name):
    """The country a canonical zone is in, by its English name ("" for UTC and the like)."""
    places, countries, _links = _tables()
    code = places.get(canonical(name), ("", ""))[0]
    if not code:
        return ""
    return Locale("en").territories.get(code) or countries.get(code, code)


def place(name):
    """ "India — Kolkata"; "UTC" for UTC."""
    where = country(name)
    return f"{where} — {city(name)}" if where else city(name)


def offset(tz, at):
    """The zone's UTC offset at an instant, as people write it: "UTC+5:30", "UTC−7".

    >>> offset(zoneinfo.ZoneInfo("America/St_Johns"), dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    'UTC−3:30'
    """
    return "UTC" + _signed(at.astimezone(tz).utcoffset(), minus="−")


def _signed(delta, minus="-", pad=False):
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else minus
    hours, rest = divmod(abs(minutes), 60)
    hours_text = f"{hours:02d}" if pad else str(hours)
    return f"{sign}{hours_text}" + (f":{rest:02d}" if rest or pad else "")


def label(name, now, *, clock=None):
    """How a picker shows a zone: "India — Kolkata (UTC+5:30), 14:05 now".

    `clock` formats the local time (12- or 24-hour, see `lib.clock`); 24-hour by default.
    """
    tz = zone(canonical(name))
    local = now.astimezone(tz)
    shown = clock(local) if clock else f"{local:%H:%M}"
    return f"{place(name)} ({offset(tz, now)}), {shown} now"


def describe(name, at):
    """A zone as an email names it, with its offset at `at` (the interview's own time):
    "Kolkata time (India, UTC+5:30)"; "UTC" alone for UTC."""
    name = canonical(name)
    tz = zone(name)
    if name == "UTC":
        return "UTC"
    where = country(name)
    return f"{city(name)} time ({where + ', ' if where else ''}{offset(tz, at)})"


def _fold(text):
    """Lower case without accents: "São Paulo" → "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@functools.cache
def search_terms(name):
    """Everything a person may type to find a canonical zone, folded to lower case: its
    name, city, country (and code), the tz database's note, its legacy names, its UTC offsets
    in the usual spellings (winter and summer) and their abbreviations.

    >>> terms = search_terms("Asia/Kolkata")
    >>> all(word in terms for word in ("kolkata", "calcutta", "india", "+5:30", "ist"))
    True
    """
    places, countries, _links = _tables()
    code, note = places.get(name, ("", ""))
    words = [name, city(name), country(name), note]
    if code:
        words += [code, countries.get(code, "")]
    for alias in aliases().get(name, ()):
        words += [alias, alias.rsplit("/", 1)[-1].replace("_", " ")]
    tz = zone(name)
    year = dt.date.today().year
    for month in (1, 7):
        at = dt.datetime(year, month, 15, 12, tzinfo=dt.UTC)
        delta = at.astimezone(tz).utcoffset()
        short = _signed(delta)
        padded = _signed(delta, pad=True)
        words += [f"utc{short}", f"gmt{short}", short, padded, padded.replace(":", "")]
        words += [f"utc{_signed(delta, minus='−')}"]
        abbreviation = at.astimezone(tz).tzname() or ""
        if re.fullmatch(r"[A-Za-z]{2,5}", abbreviation):
            words.append(abbreviation)
    split = (part for w in words if w for part in re.split(r"[\s/()]+", _fold(w)))
    return " ".join(dict.fromkeys(part for part in split if part))


def matches(name, query):
    """Whether a picker's search finds a zone: every word typed begins a word of its
    `search_terms` (the picker's script does the same in the browser).

    >>> [matches("Asia/Kolkata", q) for q in ("Calcutta", "ind", "+5:30", "New York")]
    [True, True, True, False]
    """
    words = search_terms(canonical(name)).split()
    return all(any(w.startswith(typed) for w in words) for typed in _query_words(query))


def _query_words(query):
    return [w for w in re.split(r"[\s/()]+", _fold(query)) if w]


def search(query, now=None):
    """The picker's zones a query finds: those with a word equal to what was typed first,
    then the others, each in picker order."""
    now = now or dt.datetime.now(dt.UTC)
    found = [n for _g, entries in choices(now) for n, _l, _t in entries if matches(n, query)]
    typed = _query_words(query)
    named = [
        n for n in found if _fold(query.strip()) in {_fold(a) for a in (n, *aliases().get(n, ()))}
    ]
    exact = [n for n in found if all(w in search_terms(n).split() for w in typed)]
    return list(dict.fromkeys([*named, *exact, *found]))


@functools.cache
def _sort_offsets(year):
    """{zone: its January offset in minutes}: pickers list zones west to east."""
    at = dt.datetime(year, 1, 15, 12, tzinfo=dt.UTC)
    return {
        name: int(at.astimezone(zone(name)).utcoffset().total_seconds() // 60)
        for name in picker_names()
    }


def choices(now, *, first=(), clock=None):
    """A picker's groups: [(group label, [(zone, label, search terms), …]), …].

    `first` (the zones this person is most likely in: their own, their team's) come first,
    then the common zones, then every zone west to east; each zone appears once.
    """
    offsets = _sort_offsets(now.year)

    def entry(name):
        return (name, label(name, now, clock=clock), search_terms(name))

    top = [canonical(n) for n in first if is_zone(n)]
    top = [n for n in dict.fromkeys(top) if n in offsets]
    common = [n for n in COMMON if n not in top]
    common.sort(key=lambda n: (offsets[n], n))
    rest = sorted(
        (n for n in picker_names() if n not in top and n not in COMMON),
        key=lambda n: (offsets[n], place(n)),
    )
    groups = []
    if top:
        groups.append(("Suggested", [entry(n) for n in top]))
    groups.append(("Common time zones", [entry(n) for n in common]))
    groups.append(("All time zones", [entry(n) for n in rest]))
    return groups


# --- a zone from an address -----------------------------------------------------------------

# Regions of the countries that span several zones, by code and by name: the zone most of
# the region keeps (a guess, and said to be one wherever it is shown).
_REGIONS = {
    "US": {
        "America/New_York": (
            "CT DE DC FL GA KY ME MD MA NH NJ NY NC OH PA RI SC VT VA WV",
            "Connecticut|Delaware|District of Columbia|Florida|Georgia|Kentucky|Maine|"
            "Maryland|Massachusetts|New Hampshire|New Jersey|New York|North Carolina|Ohio|"
            "Pennsylvania|Rhode Island|South Carolina|Vermont|Virginia|West Virginia",
        ),
        "America/Detroit": ("MI", "Michigan"),
        "America/Indiana/Indianapolis": ("IN", "Indiana"),
        "America/Chicago": (
            "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
            "Alabama|Arkansas|Illinois|Iowa|Kansas|Louisiana|Minnesota|Mississippi|Missouri|"
            "Nebraska|North Dakota|Oklahoma|South Dakota|Tennessee|Texas|Wisconsin",
        ),
        "America/Denver": ("CO MT NM UT WY", "Colorado|Montana|New Mexico|Utah|Wyoming"),
        "America/Boise": ("ID", "Idaho"),
        "America/Phoenix": ("AZ", "Arizona"),
        "America/Los_Angeles": ("CA NV OR WA", "California|Nevada|Oregon|Washington"),
        "America/Anchorage": ("AK", "Alaska"),
        "Pacific/Honolulu": ("HI", "Hawaii"),
        "America/Puerto_Rico": ("PR", "Puerto Rico"),
    },
    "CA": {
        "America/Toronto": ("ON QC", "Ontario|Quebec|Québec"),
        "America/Vancouver": ("BC", "British Columbia"),
        "America/Edmonton": ("AB NT", "Alberta|Northwest Territories"),
        "America/Winnipeg": ("MB", "Manitoba"),
        "America/Regina": ("SK", "Saskatchewan"),
        "America/Halifax": ("NS PE", "Nova Scotia|Prince Edward Island"),
        "America/Moncton": ("NB", "New Brunswick"),
        "America/St_Johns": ("NL", "Newfoundland and Labrador|Newfoundland"),
        "America/Whitehorse": ("YT", "Yukon"),
        "America/Iqaluit": ("NU", "Nunavut"),
    },
    "AU": {
        "Australia/Sydney": ("NSW ACT", "New South Wales|Australian Capital Territory"),
        "Australia/Melbourne": ("VIC", "Victoria"),
        "Australia/Brisbane": ("QLD", "Queensland"),
        "Australia/Adelaide": ("SA", "South Australia"),
        "Australia/Perth": ("WA", "Western Australia"),
        "Australia/Hobart": ("TAS", "Tasmania"),
        "Australia/Darwin": ("NT", "Northern Territory"),
    },
}


@functools.cache
def _region_zones():
    """{(country code, folded region code or name): zone}."""
    found = {}
    for country_code, regions in _REGIONS.items():
        for name, (codes, region_names) in regions.items():
            for region in [*codes.split(), *region_names.split("|")]:
                found[(country_code, _fold(region))] = name
    return found


@functools.cache
def _countries_by_name():
    _places, countries, _links = _tables()
    found = {}
    english = Locale("en").territories
    for code, name in countries.items():
        for each in (name, english.get(code, ""), code):
            if each:
                found[_fold(each)] = code
    return found


def guess(*, city="", region="", country="", country_code=""):
    """The zone an address is most likely in, or "" when it cannot tell: a zone named after
    the city, the one zone of a country that has one, or the zone of a region of the
    United States, Canada or Australia.

    >>> guess(city="Pune", country="India"), guess(city="Los Angeles", country_code="US")
    ('Asia/Kolkata', 'America/Los_Angeles')
    >>> guess(city="Springfield", region="IL", country_code="US"), guess(country="Brazil")
    ('America/Chicago', '')
    """
    places, _countries, _links = _tables()
    code = (country_code or "").strip().upper()
    if code not in _countries_by_name().values():
        code = _countries_by_name().get(_fold((country or "").strip()), "")
    in_country = [z for z, (c, _n) in places.items() if not code or c == code]
    folded_city = _fold((city or "").strip())
    if folded_city:
        named = [z for z in in_country if _fold(city_of_name(z)) == folded_city]
        named += [
            canonical(a)
            for z in in_country
            for a in aliases().get(z, ())
            if _fold(a.rsplit("/", 1)[-1].replace("_", " ")) == folded_city
        ]
        if named and (code or len(set(named)) == 1):
            return named[0]
    if not code:
        return ""
    own = [z for z, (c, _n) in places.items() if c == code]
    if len(own) == 1:
        return own[0]
    return _region_zones().get((code, _fold((region or "").strip())), "")


def city_of_name(name):
    """The city part of a zone name as written: "America/Los_Angeles" → "Los Angeles"."""
    return name.rsplit("/", 1)[-1].replace("_", " ")

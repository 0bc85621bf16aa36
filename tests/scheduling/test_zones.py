"""The time-zone helper: canonical names, the names people know, the picker's search, and
12- or 24-hour times by locale."""

import datetime as dt

import pytest

from scheduling.lib import timefmt, zones

JULY = dt.datetime(2026, 7, 1, 8, 35, tzinfo=dt.UTC)
JANUARY = dt.datetime(2026, 1, 15, 8, 35, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("legacy", "canonical"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Pacific", "America/Los_Angeles"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        # A zone of its own country stays itself, though the data links it elsewhere.
        ("Europe/Amsterdam", "Europe/Amsterdam"),
    ],
)
def test_legacy_names_become_their_canonical_zone(legacy, canonical):
    assert zones.canonical(legacy) == canonical


def test_an_unknown_name_falls_back_to_the_default():
    assert zones.canonical_or("Mars/Olympus", "America/New_York") == "America/New_York"
    assert zones.canonical_or("", "") == "UTC"


def test_a_zone_is_labelled_with_country_city_offset_and_the_time_now():
    assert zones.label("Asia/Kolkata", JULY) == "India — Kolkata (UTC+5:30), 14:05 now"
    assert zones.label("US/Pacific", JULY) == "United States — Los Angeles (UTC−7), 01:35 now"
    assert zones.label("US/Pacific", JANUARY) == "United States — Los Angeles (UTC−8), 00:35 now"
    twelve = zones.label("Asia/Kolkata", JULY, clock=lambda t: timefmt.clock(t, 12))
    assert twelve == "India — Kolkata (UTC+5:30), 2:05\xa0pm now"
    assert zones.label("UTC", JULY) == "UTC (UTC+0), 08:35 now"


def test_emails_describe_a_zone_with_its_offset_at_the_interviews_time():
    assert zones.describe("Asia/Calcutta", JULY) == "Kolkata time (India, UTC+5:30)"
    assert zones.describe("America/Los_Angeles", JANUARY) == (
        "Los Angeles time (United States, UTC−8)"
    )
    assert zones.describe("Etc/UTC", JULY) == "UTC"


@pytest.mark.parametrize("query", ["Kolkata", "Calcutta", "India", "+5:30", "kolk"])
def test_the_picker_finds_kolkata(query):
    assert zones.search(query, JULY)[0] == "Asia/Kolkata"


def test_an_abbreviation_finds_every_zone_that_uses_it():
    found = zones.search("IST", JULY)
    assert {"Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"} <= set(found)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Los Angeles", "America/Los_Angeles"),
        ("US/Pacific", "America/Los_Angeles"),
        ("sao paulo", "America/Sao_Paulo"),
        ("United Kingdom", "Europe/London"),
        ("UTC", "UTC"),
        ("-3:30", "America/St_Johns"),
    ],
)
def test_the_picker_search_finds_cities_countries_legacy_names_and_offsets(query, first):
    assert zones.search(query, JULY)[0] == first


def test_the_picker_lists_suggested_then_common_then_every_zone_once():
    groups = zones.choices(JULY, first=("Asia/Calcutta", "America/New_York"))
    labels = [label for label, _entries in groups]
    assert labels == ["Suggested", "Common time zones", "All time zones"]
    names = [name for _label, entries in groups for name, _l, _t in entries]
    assert names[:2] == ["Asia/Kolkata", "America/New_York"]
    assert len(names) == len(set(names)) == len(zones.picker_names())
    assert "Asia/Calcutta" not in names  # legacy names are not listed, their city is
    common = [name for name, _l, _t in groups[1][1]]
    assert common.index("America/Los_Angeles") < common.index("Europe/London")


@pytest.mark.parametrize(
    ("header", "cycle"),
    [
        ("en-US,en;q=0.9", 12),
        ("en-IN", 12),
        ("en-GB,en;q=0.8", 24),
        ("de-DE", 24),
        ("ja", 24),
        ("", 24),
        ("xx-YY, *", 24),
        ("xx-YY, en-US;q=0.5", 12),
    ],
)
def test_the_hour_cycle_follows_the_browsers_first_known_locale(header, cycle):
    assert timefmt.hour_cycle(header) == cycle


def test_twelve_hour_times_read_as_people_write_them():
    assert timefmt.clock(dt.time(0, 0), 12) == "12:00\xa0am"
    assert timefmt.clock(dt.time(12, 15), 12) == "12:15\xa0pm"
    assert timefmt.clock(dt.time(19, 45), 12) == "7:45\xa0pm"
    assert timefmt.clock(dt.time(7, 5), 24) == "07:05"

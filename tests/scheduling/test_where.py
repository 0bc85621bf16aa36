"""Where and how, in words (scheduling.where): each kind of place, with what the calendar can
do and what is known yet, for the candidate and for the team. Never a promise of a link
that is not coming."""

import types

import pytest

from scheduling import where

MEET = "https://meet.sandbox.test/abc-defg-hij"
ROOM = "https://zoom.example/j/5551234"

C, TEAM = where.CANDIDATE, where.INTERVIEWER


def said(kind, reader, **kwargs):
    return where.describe(kind, reader=reader, **kwargs)


# --- the calendar's own video -----------------------------------------------------------------


@pytest.mark.parametrize("reader", [C, TEAM])
def test_video_with_its_link_names_the_provider_and_gives_the_link(reader):
    place = said(where.VIDEO, reader, video="Google Meet", url=MEET)
    assert place.summary == "Google Meet video call"
    assert place.url == MEET and place.location == MEET
    assert not place.pending and not place.problem


def test_video_before_the_calendar_made_the_link_says_when_it_comes():
    candidate = said(where.VIDEO, C, video="Google Meet")
    assert candidate.summary == "Google Meet video call"
    assert candidate.url == ""
    assert candidate.pending == "The link comes by email as soon as the calendar creates it."
    team = said(where.VIDEO, TEAM, video="Google Meet")
    assert team.pending == "The link comes once the calendar creates the event."
    # A calendar file gets no made-up location.
    assert candidate.location == "" and team.location == ""


def test_video_on_the_booking_page_comes_with_the_confirmation():
    place = said(where.VIDEO, C, video="Microsoft Teams", booked=False)
    assert place.summary == "Microsoft Teams video call"
    assert place.pending == "The link comes with your confirmation."


def test_video_not_checked_yet_promises_no_provider():
    place = said(where.VIDEO, C, video=where.UNKNOWN)
    assert place.summary == "Video call"
    assert "Meet" not in place.text and "Teams" not in place.text


@pytest.mark.parametrize("booked", [True, False])
def test_video_a_calendar_cannot_make_is_never_promised_to_the_candidate(booked):
    place = said(where.VIDEO, C, video=where.CANNOT, booked=booked, calendar_name="Outlook")
    assert place.summary == "Video call"
    assert place.url == ""
    assert place.pending == "The team sends you the link before the interview."
    assert "confirmation" not in place.text and "calendar creates" not in place.text


def test_video_a_calendar_cannot_make_is_a_problem_the_team_reads():
    place = said(
        where.VIDEO, TEAM, video=where.CANNOT, calendar_name="Microsoft Outlook (Calendar)"
    )
    assert place.pending == "No video link yet."
    assert place.problem.startswith("Microsoft Outlook (Calendar) cannot add video links")


# --- rooms, fixed links -----------------------------------------------------------------------


@pytest.mark.parametrize("video", ["Google Meet", where.CANNOT, where.UNKNOWN])
@pytest.mark.parametrize("reader", [C, TEAM])
def test_an_interviewers_room_is_the_link_whatever_the_calendar(video, reader):
    place = said(where.ROOM, reader, url=ROOM, host="Maya Patel", video=video)
    assert place.summary == "Video call in Maya Patel’s meeting room"
    assert place.url == ROOM and place.location == ROOM
    assert not place.problem


def test_a_room_nobody_on_the_session_has_falls_back_to_the_calendars_video():
    assert said(where.ROOM, C, video="Google Meet").summary == "Google Meet video call"
    stuck = said(where.ROOM, TEAM, video=where.CANNOT, calendar_name="Outlook")
    assert "No interviewer on this session has a meeting room link" in stuck.problem


def test_rooms_on_the_booking_page():
    ready = said(where.ROOM, C, booked=False, rooms=True, video=where.CANNOT)
    assert ready.pending == "The link comes with your confirmation."
    missing = said(where.ROOM, C, booked=False, rooms=False, video=where.CANNOT)
    assert missing.pending == "The team sends you the link before the interview."


@pytest.mark.parametrize("video", ["Google Meet", where.CANNOT, where.UNKNOWN])
@pytest.mark.parametrize("reader", [C, TEAM])
def test_a_fixed_link_is_the_link(video, reader):
    place = said(where.LINK, reader, detail=ROOM, video=video)
    assert place.summary == "Video call"
    assert place.url == ROOM and place.location == ROOM and not place.pending


def test_a_link_that_is_not_a_web_address_is_never_given():
    place = said(where.ROOM, C, url="javascript:alert(1)", video="Google Meet")
    assert place.url == "" and "javascript" not in place.text


# --- the office, the phone ---------------------------------------------------------------------


@pytest.mark.parametrize("video", ["Google Meet", where.CANNOT, where.UNKNOWN])
@pytest.mark.parametrize("reader", [C, TEAM])
def test_the_office_gives_the_address_a_map_and_the_arrival_notes(video, reader):
    place = said(
        where.OFFICE,
        reader,
        detail="1 Main St, Sydney",
        notes="Level 4; ask for Noor",
        video=video,
    )
    assert place.summary == "In person: 1 Main St, Sydney"
    assert place.location == "1 Main St, Sydney"
    assert place.map_url == "https://www.google.com/maps/search/?api=1&query=1+Main+St%2C+Sydney"
    assert place.notes == "Level 4; ask for Noor"
    assert not place.url and not place.pending
    assert place.text.splitlines() == [
        "In person: 1 Main St, Sydney",
        f"Map: {place.map_url}",
        "Level 4; ask for Noor",
    ]


def test_we_call_the_candidate():
    before = said(where.PHONE, C, booked=False)
    assert before.summary == "Phone call: we call you on the number you give when you book"
    candidate = said(where.PHONE, C, phone="+61 412 345 678")
    assert candidate.summary == "Phone call: we call you on +61 412 345 678"
    team = said(where.PHONE, TEAM, phone="+61 412 345 678", candidate_name="Noor Test")
    assert team.summary == "Phone call: call Noor Test on +61 412 345 678"
    assert team.location == team.summary and not team.problem
    assert said(where.PHONE, TEAM, candidate_name="Noor Test").problem == (
        "No phone number for Noor Test: they were asked to send one. Add it to their profile "
        "in the ATS and Convene uses it."
    )
    # Booked by the team with no number known: the candidate is asked for one, never told
    # of a number they gave.
    booked = said(where.PHONE, C)
    assert booked.summary == (
        "Phone call: we call you. We do not have your number yet: please write to us with "
        "the number to call"
    )


def test_the_candidate_calls_us():
    candidate = said(where.CALL_US, C, detail="+44 20 7946 0000")
    assert candidate.summary == "Phone call: call us on +44 20 7946 0000"
    team = said(where.CALL_US, TEAM, detail="+44 20 7946 0000", candidate_name="Noor Test")
    assert team.summary == "Phone call: Noor Test calls +44 20 7946 0000"


# --- what a calendar can do ------------------------------------------------------------------


def conn(capabilities, integration_type="googlecalendar", vendor="Google Calendar"):
    return types.SimpleNamespace(
        capabilities=capabilities, integration_type=integration_type, vendor=vendor
    )


def test_what_a_calendar_can_do_comes_from_unifieds_answers():
    assert where.video_of(conn({})) is where.UNKNOWN
    assert where.video_of(conn({"conference": False})) == where.CANNOT
    assert where.video_of(conn({"conference": True, "conference_label": "Google Meet"})) == (
        "Google Meet"
    )
    assert where.video_of(conn({"conference": True}, "microsoftoutlook")) == "Microsoft Teams"
    assert where.video_of(None) == where.CANNOT


def test_several_calendars_promise_only_what_all_of_them_can():
    assert where.video_together(["Google Meet", "Google Meet"]) == "Google Meet"
    assert where.video_together(["Google Meet", "Microsoft Teams"]) == "Video call"
    assert where.video_together(["Google Meet", where.UNKNOWN]) is where.UNKNOWN
    assert where.video_together(["Google Meet", where.CANNOT, where.UNKNOWN]) == where.CANNOT
    assert where.video_together([]) is where.UNKNOWN


def test_the_connection_page_says_it_in_words():
    assert where.connection_words(
        conn({"conference": True, "conference_label": "Google Meet"})
    ) == ("Google Meet links are added to interviews.")
    outlook = conn({"conference": False}, "microsoftoutlook", "Microsoft Outlook")
    assert where.connection_words(outlook).startswith(
        "Microsoft Outlook cannot add video links: choose another kind of place for your plans"
    )
    assert where.connection_words(conn({})).startswith("Not checked yet")

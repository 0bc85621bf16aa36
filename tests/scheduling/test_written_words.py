"""What the recruiter reads about what was written where (issue 26, "Say what happened, per
connection"), with Unified answered by `responses`: the note an ATS that takes no interviews
gets reads as a person writes it, and the interview page, its task rows, Sync problems and
the calendar connection's page say what each connection really holds."""

import datetime as dt
import json
import re

import pytest
import responses
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from scheduling import booking, outbox, slots, writeback
from scheduling.lib import zones
from scheduling.models import Connection, InterviewPlan, Operation
from tests import factories as f

pytestmark = pytest.mark.django_db

BASE = settings.UNIFIED_BASE_URL
ATS_ID = "a" * 24
CAL_ID = "c" * 24
CALENDAR = "AAMkAGI2TGULAAA-ivy"


def text(response):
    """The page's words, one space apart (a tag between two words counts as a space)."""
    return " ".join(strip_tags(response.content.decode().replace("<", " <")).split())


@pytest.fixture
def globex(tenant):
    """Lever (which refuses interviews) and Outlook, in a team on Berlin time."""
    tenant.default_timezone = "Europe/Berlin"
    tenant.save()
    ats = f.connection(
        tenant, unified_id=ATS_ID, integration_type="lever", integration_name="Lever"
    )
    cal = f.connection(
        tenant,
        Connection.Category.CALENDAR,
        unified_id=CAL_ID,
        integration_type="microsoftoutlook",
        integration_name="Microsoft Outlook",
        calendars=[
            {"id": CALENDAR, "name": "Ivy Chen (work)", "timezone": "", "is_primary": True},
            {"id": "AAMkAGRvb20", "name": "Board room", "timezone": "", "is_primary": False},
        ],
    )
    ivy = f.interviewer(
        tenant,
        "Ivy Chen",
        email="ivy@globex.example",
        calendar_connection=cal,
        calendar_id=CALENDAR,
    )
    sam = f.interviewer(tenant, "Sam Okafor", email="sam@globex.example")
    app = f.application(ats, f.candidate(ats, "Grace Hopper", email="grace@x.example"), f.job(ats))
    plan = InterviewPlan.objects.create(tenant=tenant, name="Screen")
    # Three days ahead at 09:00 UTC: 10:00 or 11:00 in Berlin, whatever the season.
    start = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    choice = slots.Choice(
        sessions=(
            slots.SessionChoice(
                title="Phone screen",
                start=start,
                end=start + dt.timedelta(minutes=45),
                people=((str(ivy.pk), "required", None), (str(sam.pk), "required", None)),
            ),
        )
    )
    return {"ats": ats, "cal": cal, "ivy": ivy, "app": app, "plan": plan, "choice": choice}


def book_and_write_the_note(globex, user=None):
    interview = booking.book(globex["app"], globex["plan"], globex["choice"], user=user)
    interview.sessions.update(event_id="ev1")
    Operation.objects.filter(kind="event.create").update(status="done", result={"event_id": "ev1"})
    responses.post(
        f"{BASE}/ats/{ATS_ID}/interview",
        status=501,
        json={"message": "createAtsInterview is not supported by lever"},
    )
    responses.post(f"{BASE}/ats/{ATS_ID}/activity", json={"id": "act1"})
    op = outbox.perform(interview.operations.get(kind="ats_interview.create").pk)
    assert op.status == "done" and op.result == {"ats_record": "activity"}
    return interview, op


@responses.activate
def test_the_note_reads_as_a_person_writes_it_on_the_teams_clock(globex, recruiter):
    interview, op = book_and_write_the_note(globex, user=recruiter)

    note = json.loads(responses.calls[-1].request.body)
    start = interview.start_at.astimezone(zones.zone("Europe/Berlin"))
    end = interview.end_at.astimezone(zones.zone("Europe/Berlin"))
    offset = "UTC+1" if start.utcoffset() == dt.timedelta(hours=1) else "UTC+2"
    assert note["title"] == "Interview scheduled by Convene"
    assert note["description"] == (
        f"Phone screen with Ivy Chen and Sam Okafor: {start:%a} {start.day} {start:%b %Y}, "
        f"{start:%H:%M}–{end:%H:%M} Berlin time (Germany, {offset}).\n\n"
        f"Booked by {recruiter}.\n\n"
        f"Ref: cv-{op.pk.hex[:10]}"
    )
    assert "convene-" not in note["description"]


@responses.activate
def test_a_note_left_with_the_old_marker_is_still_found_after_an_unclear_failure(globex):
    """Notes written before the marker was shortened carry "convene-op:<id>"; a retry of
    such an operation adopts its note instead of writing a second."""
    globex["ats"].capabilities = {"interview_write": False}
    globex["ats"].save()
    interview = booking.book(globex["app"], globex["plan"], globex["choice"])
    interview.sessions.update(event_id="ev1")
    Operation.objects.filter(kind="event.create").update(status="done")
    op = interview.operations.get(kind="ats_interview.create")
    Operation.objects.filter(pk=op.pk).update(payload={"unclear": True})
    responses.get(
        f"{BASE}/ats/{ATS_ID}/activity",
        json=[{"id": "act3", "type": "NOTE", "description": f"Screen (convene-op:{op.pk})"}],
    )
    op = outbox.perform(op.pk)
    assert op.status == "done" and op.result["found_existing"] is True
    assert not [c for c in responses.calls if c.request.method == "POST"]


@responses.activate
def test_the_interview_page_says_the_session_is_a_note_in_lever(recruiter_client, globex):
    interview, _op = book_and_write_the_note(globex)

    page = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))

    assert (
        "Recorded as a note on the application in Lever: Lever does not accept interviews "
        "from Convene." in page
    )
    # The task list says what was really written, not "Create the ATS interview".
    assert re.search(
        "Note on the application in Lever: interview scheduled Lever does not accept "
        "interviews from Convene",
        page,
    )
    assert "Create the ATS interview" not in page and "a note only" not in page
    assert "Create the calendar event in Microsoft Outlook" in page


@responses.activate
def test_the_task_rows_of_a_moved_and_canceled_note_say_so(recruiter_client, globex):
    interview, _op = book_and_write_the_note(globex)
    booking.cancel(interview, reason="The role was filled")
    cancel = interview.operations.get(kind="ats_interview.cancel")
    assert cancel.words == (
        "Note on the application in Lever: interview canceled",
        "Lever does not accept interviews from Convene",
    )


def test_a_task_row_for_an_ats_that_takes_interviews_names_it(globex):
    globex["ats"].integration_name = "Greenhouse"
    globex["ats"].save()
    interview = booking.book(globex["app"], globex["plan"], globex["choice"])
    op = interview.operations.get(kind="ats_interview.create")
    assert op.words == ("Create the interview in Greenhouse", "")
    Operation.objects.filter(pk=op.pk).update(status="done", result={"ats_interview_id": "9"})
    op.refresh_from_db()
    assert op.words == ("Create the interview in Greenhouse", "")


@responses.activate
def test_sync_problems_names_what_each_connection_received(recruiter_client, globex):
    book_and_write_the_note(globex)

    page = text(recruiter_client.get(reverse("problems")))

    assert "every booking reached" not in page
    assert "Nothing is failing" in page
    assert (
        "Lever 1 session as a note on the candidate’s application (Lever does not accept "
        "interviews from Convene)" in page
    )
    assert "Microsoft Outlook 1 calendar event" in page


def test_sync_problems_says_what_a_booking_will_become_before_any(recruiter_client, globex):
    globex["ats"].capabilities = {"interview_write": False}
    globex["ats"].save()
    page = text(recruiter_client.get(reverse("problems")))
    assert (
        "Lever Nothing yet; a booking becomes a note on the application in Lever (Lever "
        "does not accept interviews from Convene)" in page
    )


def test_calendars_show_by_their_names_with_the_id_out_of_the_way(admin_client_, globex):
    page = admin_client_.get(reverse("connection_detail", args=[globex["cal"].pk]))
    html = page.content.decode()
    assert "Ivy Chen (work)" in text(page)
    # The id is only in a title attribute, for whoever hovers.
    assert CALENDAR not in text(page)
    assert re.search(rf'title="Calendar id: {CALENDAR}"', html)
    assert "Not linked to an interviewer: Board room" in text(page)
    assert "AAMkAGRvb20" not in text(page)

    ivy = admin_client_.get(reverse("interviewer_detail", args=[globex["ivy"].pk]))
    assert "Ivy Chen (work) via Microsoft Outlook" in text(ivy)


@responses.activate
def test_a_move_names_what_follows_in_each_connection(globex):
    interview, _op = book_and_write_the_note(globex)
    assert writeback.what_follows(interview, "moved") == (
        "In a moment: the calendar event in Microsoft Outlook moving, a note on the "
        "application in Lever saying it moved (Lever does not accept interviews from "
        "Convene) and the new time by email to grace@x.example."
    )


@responses.activate
def test_a_cancellation_banner_names_what_follows_in_each_connection(recruiter_client, globex):
    interview, _op = book_and_write_the_note(globex)

    response = recruiter_client.post(
        reverse("interview_cancel", args=[interview.pk]),
        {"reason": "The role was filled"},
        follow=True,
    )

    assert (
        "The interview is canceled. In a moment: the calendar event coming off Microsoft "
        "Outlook and a note on the application in Lever saying it is canceled (Lever does "
        "not accept interviews from Convene)." in text(response)
    )
    # The candidate was not to be told: the banner promises no email.
    assert "cancellation email" not in text(response)


@responses.activate
def test_an_ats_that_took_an_interview_is_known_to_take_them(globex):
    """Until an ATS answered once, the banner says a note may come instead; after its first
    interview it says "the interview" plainly."""
    interview = booking.book(globex["app"], globex["plan"], globex["choice"])
    assert "or a note on the application, if Lever does not accept" in writeback.what_follows(
        interview
    )
    interview.sessions.update(event_id="ev1")
    Operation.objects.filter(kind="event.create").update(status="done")
    responses.post(f"{BASE}/ats/{ATS_ID}/interview", json={"id": "int1"})
    outbox.perform(interview.operations.get(kind="ats_interview.create").pk)
    globex["ats"].refresh_from_db()
    assert globex["ats"].capabilities == {"interview_write": True}
    booking.cancel(interview, reason="test")
    again = booking.book(globex["app"], globex["plan"], globex["choice"])
    assert "the interview in Lever and the confirmation email" in writeback.what_follows(again)

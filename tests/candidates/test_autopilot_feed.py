"""The pipeline's Autopilot tab, as a recruiter reads it: what autopilot did, newest first,
on the reader's clock, each line linking to the candidate; where each entry stands now
("Waiting for an answer: 2 days", "Booked: …"); filters by plan, by what happened and by
what needs the recruiter; pages of 50; only the team's own lines; not for interviewers.

It is Tuesday 1 December 2026, 10:00 in New York (the team's zone); each test makes the
entries and lines it reads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from candidates import autopilot_feed_views
from candidates.autopilot import record
from candidates.models import AutopilotEvent, StageEntry
from scheduling.models import InterviewPlan, Membership
from tests import factories as f
from tests.candidates.links_helpers import NOW
from tests.conftest import make_member

pytestmark = pytest.mark.django_db

Kind = AutopilotEvent.Kind


def text(response):
    return " ".join(strip_tags(response.content.decode()).split())


def entry(tenant, application, plan, state, *, sent_days_ago=0, reason=""):
    return StageEntry.objects.create(
        tenant=tenant,
        application=application,
        plan=plan,
        entered_at=NOW - dt.timedelta(days=sent_days_ago, hours=1),
        due_at=NOW - dt.timedelta(days=sent_days_ago),
        action=InterviewPlan.Autopilot.LINK,
        state=state,
        sent_at=NOW - dt.timedelta(days=sent_days_ago),
        reason=reason,
    )


@pytest.fixture
def onsite(tenant):
    return InterviewPlan.objects.create(
        tenant=tenant,
        name="Onsite",
        stage_status="SECOND_INTERVIEW",
        autopilot=InterviewPlan.Autopilot.LINK,
    )


@pytest.fixture
def screen(tenant):
    return InterviewPlan.objects.create(
        tenant=tenant, name="Phone screen", stage_status="SCREENING"
    )


@pytest.fixture
def ada(ats):
    return f.application(ats, f.candidate(ats, "Ada Shah"), f.job(ats, "Robotics Engineer"))


@pytest.fixture
def lin(ats):
    return f.application(ats, f.candidate(ats, "Lin Park"), f.job(ats, "Firmware Engineer"))


def test_lines_read_newest_first_on_the_readers_clock_linking_to_the_candidate(
    frozen, recruiter_client, tenant, onsite, ada, lin
):
    waiting = entry(tenant, ada, onsite, StageEntry.State.SENT, sent_days_ago=2)
    record(
        waiting,
        Kind.SENT_LINK,
        "Sent a booking link to Ada Shah for the “Onsite” plan",
        now=NOW - dt.timedelta(days=2),
    )
    back = entry(
        tenant, lin, onsite, StageEntry.State.RETURNED, reason="No answer after 2 reminders"
    )
    record(back, Kind.RETURNED, "Back with you: no answer after 2 reminders", now=NOW)

    response = recruiter_client.get(reverse("autopilot_feed"))
    assert response.status_code == 200
    page = text(response)
    # Newest first; today's line shows its time alone, an older one its day (New York).
    assert page.index("10:00 Lin Park · Back with you") < page.index(
        "Sun 29 Nov, 10:00 Sent a booking"
    )
    assert "Waiting for an answer: 2 days" in page
    html = response.content.decode()
    assert reverse("candidate_detail", args=[ada.candidate_id]) in html
    assert reverse("candidate_detail", args=[lin.candidate_id]) in html
    # The line back with the recruiter offers to schedule it.
    assert reverse("schedule", args=[lin.pk]) in html
    # The tab says how many wait for the recruiter, on the pipeline too.
    pipeline = recruiter_client.get(reverse("pipeline"))
    assert "Autopilot 1" in text(pipeline)


def test_the_feed_filters_by_plan_by_what_happened_and_by_what_needs_you(
    frozen, recruiter_client, tenant, onsite, screen, ada, lin
):
    booked = entry(tenant, ada, onsite, StageEntry.State.BOOKED)
    record(booked, Kind.SENT_LINK, "Sent a booking link to Ada Shah for the “Onsite” plan")
    record(booked, Kind.BOOKED, "Booked: Friday 14:00")
    held = entry(tenant, lin, screen, StageEntry.State.HELD, reason="The daily cap of 200 sends")
    record(held, Kind.HELD, "Held: the daily cap of 200 sends reached")
    queued = entry(tenant, lin, screen, StageEntry.State.QUEUED, sent_days_ago=1)
    record(queued, Kind.QUEUED, "Lin Park's link waits for a recruiter to send it")

    def shown(**query):
        return text(recruiter_client.get(reverse("autopilot_feed"), query))

    by_plan = shown(plan=screen.pk)
    assert "Held: the daily cap" in by_plan and "Ada Shah" not in by_plan
    by_kind = shown(kind="booked")
    assert "Booked: Friday 14:00" in by_kind and "Sent a booking link" not in by_kind
    assert "Held: the daily cap" in shown(kind="held")
    needing = shown(action="on")
    assert "waits for a recruiter" in needing and "Booked: Friday" not in needing
    # Held by the cap goes out by itself the next day: nothing for the recruiter to do.
    assert "Held: the daily cap" not in needing
    assert "Needs you" in needing
    assert "1 line matching the filters" in needing
    # A made-up filter is no filter, never an error.
    assert "Ada Shah" in shown(plan="not-a-plan", kind="nonsense")


def test_htmx_filters_swap_the_lines_alone(frozen, recruiter_client, tenant, onsite, ada):
    record(entry(tenant, ada, onsite, StageEntry.State.SENT), Kind.SENT_LINK, "Sent a link")
    response = recruiter_client.get(reverse("autopilot_feed"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="feed-lines">') and "<h1>" not in html


def test_the_feed_comes_in_pages(frozen, recruiter_client, tenant, onsite, ada):
    sent = entry(tenant, ada, onsite, StageEntry.State.SENT)
    for n in range(autopilot_feed_views.PAGE_SIZE + 3):
        record(sent, Kind.WAITING, f"Line {n}", now=NOW - dt.timedelta(minutes=n))
    first = text(recruiter_client.get(reverse("autopilot_feed")))
    assert "Page 1 of 2" in first and "Line 0" in first and "Line 52" not in first
    second = text(recruiter_client.get(reverse("autopilot_feed"), {"page": 2}))
    assert "Line 52" in second and "Line 0 " not in second


def test_another_teams_lines_are_never_shown(
    frozen, client, recruiter_client, tenant, onsite, ada, other_tenant, outsider
):
    record(entry(tenant, ada, onsite, StageEntry.State.SENT), Kind.SENT_LINK, "Sent to Ada Shah")
    theirs = InterviewPlan.objects.create(tenant=other_tenant, name="Globex onsite")
    globex_ats = f.connection(other_tenant)
    bo = f.application(globex_ats, f.candidate(globex_ats, "Bo Globex"))
    record(entry(other_tenant, bo, theirs, StageEntry.State.SENT), Kind.SENT_LINK, "Sent to Bo")

    ours = text(recruiter_client.get(reverse("autopilot_feed")))
    assert "Sent to Ada Shah" in ours and "Sent to Bo" not in ours
    assert "Globex onsite" not in ours
    # Their plan in our filter is no filter at all.
    assert "Sent to Bo" not in text(
        recruiter_client.get(reverse("autopilot_feed"), {"plan": theirs.pk})
    )
    client.force_login(outsider)
    assert "Sent to Ada Shah" not in text(client.get(reverse("autopilot_feed")))


def test_interviewers_and_strangers_cannot_read_it(client, tenant):
    interviewer = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER)
    assert client.get(reverse("autopilot_feed")).status_code == 302  # to sign in
    client.force_login(interviewer)
    assert client.get(reverse("autopilot_feed")).status_code == 403


def test_an_empty_feed_says_what_will_show_there(recruiter_client, onsite):
    page = text(recruiter_client.get(reverse("autopilot_feed")))
    assert "Autopilot has done nothing yet" in page
    assert "Onsite" in page and "Send the booking link" in page

"""When no offered time works: a candidate on a phone in Sydney marks three times on the
week grid, the recruiter in New York sees them on both clocks, the picker offers only loops
inside them, and one click books the panel: the sandbox's calendar and ATS hold it.

The times are New York afternoons (15:00–17:00, when Maya and Sofía both work) of weekdays
the test cleared for the panel's people, tapped on Sydney's clock (the next morning there)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from candidates import availability, links
from candidates.models import AvailabilityRequest, BookingLink
from scheduling.models import Interview
from tests.e2e.conftest import PHONE, drain
from tests.integration.test_scheduling import sandbox_client
from tests.live_world import free_days, new_application, plan_people, team_zone

pytestmark = pytest.mark.sandbox

SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.fixture
def sydney_phone(new_context):
    context = new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
        timezone_id="Australia/Sydney",
        locale="en-AU",
    )
    return context.new_page()


@pytest.fixture
def asked(acme, panel_plan, recruiter, live_server, settings, outbox_waits):
    """Rosa asked a new candidate of the sandbox ATS for the times they can do."""
    settings.SITE_URL = live_server.url
    application = new_application(acme)
    (request,), skipped = availability.ask(
        [application], plan=None, user=recruiter, expires_at=_in_days(7)
    )
    assert not skipped
    return request


def _in_days(days):
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def cells(start, end, zone):
    """The grid's half-hour cells from `start` to `end` on `zone`'s clock."""
    keys = []
    at = start
    while at < end:
        local = at.astimezone(zone)
        keys.append(f"{local.date().isoformat()}@{local.hour * 60 + local.minute}")
        at += dt.timedelta(minutes=30)
    return keys


def tap(page, key):
    """Tap a cell of the grid, going to a later week until it is shown."""
    cell = page.locator(f'.cell[data-key="{key}"]')
    for _ in range(4):
        if cell.count():
            break
        page.get_by_role("button", name="Later →").click()
    cell.tap()


def test_a_sydney_phone_proposes_three_times_and_the_recruiter_books_inside_them(
    sydney_phone, new_context, asked, acme, panel_plan, recruiter, sign_in, browser_console
):
    team = team_zone(acme)
    days = free_days(acme, plan_people(panel_plan), 3)
    windows = [
        (dt.datetime.combine(d, dt.time(15), team), dt.datetime.combine(d, dt.time(17), team))
        for d in days
    ]

    # The candidate, on a phone in Sydney, opens the link from the email.
    page = sydney_phone
    page.goto(f"/book/{links.token_for(asked.link)}/")
    expect(page.get_by_role("heading", name="Hello")).to_be_visible()
    expect(page.locator(".avail-grid-wrap .zone-name")).to_contain_text("Sydney time")
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    for start, end in windows:
        for key in cells(start, end, SYDNEY):
            tap(page, key)
    # The grid wrote the three times into the form's rows, on Sydney's clock.
    rows = page.eval_on_selector_all(
        ".avail-row:not([hidden])",
        "rows => rows.map(r => [r.querySelector('select').value,"
        " r.querySelector('[name=start]').value, r.querySelector('[name=end]').value])",
    )
    expected = [
        [
            a.astimezone(SYDNEY).date().isoformat(),
            f"{a.astimezone(SYDNEY):%H:%M}",
            f"{b.astimezone(SYDNEY):%H:%M}",
        ]
        for a, b in windows
    ]
    assert [r for r in rows if r[0]] == expected
    page.get_by_label("Anything we should know?").fill("Early mornings suit me best.")
    page.get_by_role("button", name="Send my times").click()
    expect(page.get_by_text("Thank you: we have your times.")).to_be_visible()
    asked.refresh_from_db()
    assert [(w.start_at, w.end_at) for w in asked.windows.all()] == windows
    drain()

    # The recruiter, in New York, sees them on her clock and Sydney's.
    desk = new_context(viewport={"width": 1440, "height": 900}, timezone_id="America/New_York")
    recruiting = desk.new_page()
    sign_in(recruiting, recruiter)
    candidate = asked.application.candidate
    recruiting.goto(f"/candidates/{candidate.pk}/")
    expect(recruiting.locator(".availability-received")).to_contain_text("Availability received")
    recruiting.get_by_role("link", name="Book inside their times").click()
    table = recruiting.locator("table.windows tbody")
    for (start, _end), row in zip(windows, table.locator("tr").all(), strict=True):
        ny = start.astimezone(team)
        expect(row.locator("td").first).to_have_text(f"{ny:%a} {ny.day} {ny:%b}, 15:00–17:00")
        sydney = start.astimezone(SYDNEY)
        expect(row.locator("td.their-time")).to_contain_text(
            f"{sydney:%a} {sydney.day} {sydney:%b}, {sydney:%H:%M}"
        )
    expect(recruiting.get_by_text("Early mornings suit me best.")).to_be_visible()

    # Only loops inside the candidate's times are offered.
    starts = [
        dt.datetime.fromisoformat(v)
        for v in recruiting.locator("#loops input[name=start]").evaluate_all(
            "inputs => inputs.map(i => i.value)"
        )
    ]
    assert starts
    length = dt.timedelta(minutes=105)
    assert all(any(a <= s and s + length <= b for a, b in windows) for s in starts)

    # One click books.
    recruiting.locator("#loops .loop-list button", has_text="Book").first.click()
    expect(
        recruiting.get_by_text(re.compile(f"Booked {candidate.name} inside their times"))
    ).to_be_visible()
    drain()
    interview = Interview.objects.get(application=asked.application)
    assert interview.start_at == starts[0]  # the first of "Best first"
    link = BookingLink.objects.get(pk=asked.link_id)
    assert link.state == BookingLink.State.BOOKED and link.interview == interview
    assert AvailabilityRequest.objects.get(pk=asked.pk).used_at is not None
    api = sandbox_client(acme["sandbox"])
    for session in interview.sessions.all():
        event = api.get_event(acme["calendar"].unified_id, session.event_id)
        assert (event.start_at, event.end_at) == (session.start_at, session.end_at)
        ats = api.get_interview(acme["ats"].unified_id, session.ats_interview_id)
        assert ats.status == "SCHEDULED" and ats.start_at == session.start_at

    # Back on the phone, the same link shows the interview on Sydney's clock.
    page.goto(f"/book/{links.token_for(asked.link)}/availability/")
    local = interview.start_at.astimezone(SYDNEY)
    expect(page.get_by_text(f"{local:%A} {local.day} {local:%B}").first).to_be_visible()

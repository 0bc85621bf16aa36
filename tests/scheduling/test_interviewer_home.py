"""The interviewer's own home: their upcoming sessions on their own clock, the feedback they
owe, their week's load against their limits (counted as the engine counts it), and "I can't
make this", which flags the interview, emails the recruiter and can be withdrawn. Who may
see and do what. No calendars: the outbox's writes are not what these tests look at."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.sync import write_seats
from scheduling import booking, feedback, interviewer_home, outbox, slots
from scheduling.models import (
    AuditEntry,
    FeedbackRequest,
    Flag,
    InterviewPlan,
    Membership,
    Operation,
    SentEmail,
)
from tests import factories as f
from tests.conftest import make_member
from tests.feedback_helpers import past_interview

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
ROOM = "https://video.example/kenji-room"


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


@pytest.fixture
def ats(tenant):
    return f.connection(tenant, integration_name="Greenhouse")


@pytest.fixture
def kenji_user(tenant):
    return make_member(
        tenant, "kenji@acme.example", Membership.Role.INTERVIEWER, first_name="Kenji"
    )


@pytest.fixture
def kenji(tenant, kenji_user):
    return f.interviewer(
        tenant,
        "Kenji Sato",
        user=kenji_user,
        timezone="Asia/Tokyo",
        ats_user_id="emp-kenji",
        max_interviews_per_day=2,
        max_interviews_per_week=3,
    )


@pytest.fixture
def kenji_client(client, kenji_user, kenji):
    client.force_login(kenji_user)
    return client


@pytest.fixture
def plan(tenant):
    return InterviewPlan.objects.create(
        tenant=tenant,
        name="Coding",
        location_kind="link",
        location_detail=ROOM,
        agenda="Ask about the cache design; skip the warm-up.",
    )


def tokyo_day(days_ahead, hour):
    """`hour` o'clock in Tokyo on the weekday at least `days_ahead` days from now there."""
    day = timezone.now().astimezone(TOKYO).date() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), TOKYO)


def book(ats, plan, people, start, *, title="Coding", candidate="Grace Hopper", user=None):
    application = f.application(
        ats,
        f.candidate(ats, candidate, web_url="https://ats.example/people/42"),
        f.job(ats, "Backend Engineer"),
    )
    return booking.book(application, plan, f.one_session(title, start, required=people), user=user)


def seat_of(interview, person):
    return interview.sessions.get().attendees.get(interviewer=person, active=True)


# --- what the page shows ---------------------------------------------------------------------


def test_the_home_shows_upcoming_sessions_on_the_interviewers_own_clock(
    kenji_client, tenant, ats, plan, kenji, recruiter
):
    start = tokyo_day(7, 10)
    interview = book(ats, plan, [kenji], start, user=recruiter)
    colleague = f.interviewer(tenant, "Mia Wong")
    book(ats, plan, [colleague], tokyo_day(7, 13), candidate="Alan Turing")
    canceled = book(ats, plan, [kenji], tokyo_day(8, 11), candidate="Edsger Dijkstra")
    booking.cancel(canceled, reason="Booked by mistake", user=recruiter)

    response = kenji_client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "My interviews" in html
    assert f"{start:%A} {start.day} {start:%B}" in html  # the day, on Tokyo's clock
    assert "10:00–11:00" in html
    assert "Tokyo time (Japan, UTC+9)" in html
    assert "<strong>Coding</strong> with Grace Hopper" in html
    assert "Backend Engineer" in html
    assert interview.stage_label in html
    assert f'href="{ROOM}"' in html
    assert "Ask about the cache design; skip the warm-up." in html
    assert 'href="https://ats.example/people/42"' in html
    assert "Grace Hopper’s profile in the ATS" in html
    # Only their own, only what is still on.
    assert "Alan Turing" not in html
    assert "Edsger Dijkstra" not in html
    # The same page under /me/interviews/, for people whose home is elsewhere.
    assert "Grace Hopper" in kenji_client.get(reverse("my_interviews")).content.decode()


def test_a_candidate_without_an_ats_address_has_no_profile_link(kenji_client, ats, plan, kenji):
    application = f.application(ats, f.candidate(ats, "Ada Lovelace"))
    booking.book(application, plan, f.one_session("Coding", tokyo_day(3, 9), required=[kenji]))
    html = kenji_client.get(reverse("home")).content.decode()
    assert "Ada Lovelace" in html
    assert "profile in the ATS" not in html
    assert "No job in the ATS" in html


def test_the_home_lists_feedback_due_and_late_with_links_to_the_feedback_pages(
    client, tenant, kenji_user
):
    panel = past_interview(tenant)
    panel.ivy.user = kenji_user
    panel.ivy.save()
    feedback.request_due()
    (item,) = FeedbackRequest.objects.filter(interviewer=panel.ivy)
    client.force_login(kenji_user)

    html = client.get(reverse("home")).content.decode()
    assert "Feedback to give" in html
    assert reverse("my_feedback_detail", args=[item.pk]) in html
    assert "Grace Hopper — Technical" in html
    assert "due " in html and "late" not in html.split("Feedback to give")[1].split("</h2>")[0]

    FeedbackRequest.objects.filter(pk=item.pk).update(
        due_at=timezone.now() - dt.timedelta(hours=3)
    )
    html = client.get(reverse("home")).content.decode()
    assert '<span class="badge bad">1 late</span>' in html
    assert "3\xa0hours late" in html
    assert '<span class="badge muted">Training</span>' not in html
    # A trainee's own feedback says it is training feedback, as under My feedback.
    FeedbackRequest.objects.filter(pk=item.pk).update(training=True)
    html = client.get(reverse("home")).content.decode()
    assert 'Grace Hopper — Technical</a> <span class="badge muted">Training</span>' in html

    FeedbackRequest.objects.filter(pk=item.pk).update(status=FeedbackRequest.Status.SUBMITTED)
    html = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting: all your feedback is in." in html


def test_the_weeks_load_counts_an_interview_booked_elsewhere_as_the_engine_does(
    kenji_client, tenant, ats, plan, kenji
):
    # Monday of Kenji's week (Tokyo): one interview booked in Convene, one only the ATS
    # knows (booked by another tool); both count, as the engine's caps count them.
    now = timezone.now().astimezone(TOKYO)
    monday = dt.datetime.combine(now.date() - dt.timedelta(days=now.weekday()), dt.time(), TOKYO)
    book(ats, plan, [kenji], monday + dt.timedelta(hours=10))
    html = kenji_client.get(reverse("home")).content.decode()
    assert "<strong>1 of 3</strong> interviews this week" in html
    assert "2 more can be booked" in html

    elsewhere = f.remote_interview(
        f.application(ats, f.candidate(ats, "Alan Turing")),
        start_in=monday + dt.timedelta(hours=14) - timezone.now(),
        user_ids=["emp-kenji"],
    )
    write_seats(tenant, type(elsewhere).objects.filter(pk=elsewhere.pk))

    load = interviewer_home.week_load(kenji, timezone.now())
    assert load.count == 2
    assert load.days[0][1:3] == (2, True)  # Monday: at the daily limit of 2
    # The engine's own count (what the picker shows and the caps use) agrees.
    week, _day = slots.loads([kenji], timezone.now())[str(kenji.pk)]
    assert week == load.count
    html = kenji_client.get(reverse("home")).content.decode()
    assert "<strong>2 of 3</strong> interviews this week" in html
    assert "1 more can be booked" in html
    monday = html.split('<ul class="week-load"')[1].split("</li>")[0]
    assert 'class="full' in monday
    assert '<span class="week-count">2<span class="muted small"> / 2</span>' in monday


# --- "I can't make this" ---------------------------------------------------------------------


def test_cant_make_it_flags_the_interview_emails_the_recruiter_and_can_be_withdrawn(
    kenji_client, client, tenant, ats, plan, kenji, recruiter, django_capture_on_commit_callbacks
):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    url = reverse("my_cant_make", args=[seat.pk])

    # No reason: refused beside the field, nothing told.
    refused = kenji_client.post(url, {})
    assert refused.status_code == 400
    assert "Choose a reason, or “Other” and a few words." in refused.content.decode()
    assert not Flag.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = kenji_client.post(
            url, {"reason": "im-unwell", "reason_text": "flu, back Monday"}, follow=True
        )
    html = response.content.decode()
    assert "Rosa Recruiter is told you can’t make “Coding”." in html
    assert "You told the recruiter on" in html
    assert "You’re still on it until they swap you." in html
    (flag,) = Flag.objects.filter(interview=interview)
    assert flag.kind == Flag.Kind.CANT_MAKE_IT and flag.interviewer == kenji
    assert flag.text == "Kenji Sato can’t make “Coding”: I'm unwell: flu, back Monday"
    (mail,) = SentEmail.objects.filter(kind=interviewer_home.EMAIL_KIND)
    assert mail.to == [recruiter.email]
    assert mail.subject == "Kenji Sato can’t make “Coding” with Grace Hopper"
    assert "Their reason: I'm unwell: flu, back Monday" in mail.body
    assert reverse("interview_detail", args=[interview.pk]) in mail.body
    assert AuditEntry.objects.filter(
        action="interview.cant_make_it", object_id=str(interview.pk), actor=kenji.user
    ).exists()

    # The recruiter's interview page: the flag, the seat marked, its Swap offered.
    client = Client()
    client.force_login(recruiter)
    page = client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "Kenji Sato can’t make “Coding”: I&#x27;m unwell: flu, back Monday" in page
    assert "can’t make it</span>" in page
    assert reverse("interview_swap", args=[interview.pk, seat.pk]) in page
    assert f"Swap {kenji.name}" in page

    # Kenji can make it after all.
    with django_capture_on_commit_callbacks(execute=True):
        withdrawn = kenji_client.post(
            reverse("my_cant_make_withdraw", args=[seat.pk]), follow=True
        )
    assert "Withdrawn: the recruiter is told you can make “Coding”." in withdrawn.content.decode()
    assert not Flag.objects.exists()
    assert SentEmail.objects.filter(
        kind=interviewer_home.EMAIL_KIND, subject="Kenji Sato can make “Coding” after all"
    ).exists()
    assert AuditEntry.objects.filter(action="interview.cant_make_it_withdrawn").exists()
    page = client.get(reverse("interview_detail", args=[interview.pk])).content.decode()
    assert "Needs your attention" not in page and "can’t make it</span>" not in page
    assert "can make “Coding” after all (withdrew their notice)" in page  # the history


def test_the_recruiters_swap_answers_the_notice(kenji_client, tenant, ats, plan, kenji, recruiter):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    kenji_client.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "a-conflict-came-up"})
    assert Flag.objects.filter(kind=Flag.Kind.CANT_MAKE_IT).exists()
    mia = f.interviewer(tenant, "Mia Wong", timezone="Asia/Tokyo")

    booking.swap_attendee(seat.session, seat, mia, user=recruiter)

    assert not Flag.objects.exists()
    html = kenji_client.get(reverse("home")).content.decode()
    assert "Grace Hopper" not in html  # no longer theirs


def test_an_email_queued_for_a_notice_withdrawn_meanwhile_is_not_sent(
    kenji_client, ats, plan, kenji, recruiter
):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    kenji_client.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "a-conflict-came-up"})
    kenji_client.post(reverse("my_cant_make_withdraw", args=[seat.pk]))
    told = Operation.objects.filter(payload__kind=interviewer_home.EMAIL_KIND).order_by(
        "created_at"
    )
    results = [outbox.perform(op.pk) for op in told]
    assert not SentEmail.objects.exists(), results


def test_a_candidates_own_booking_tells_the_teams_recruiters_and_admins(
    kenji_client,
    tenant,
    ats,
    plan,
    kenji,
    recruiter,
    admin_member,
    django_capture_on_commit_callbacks,
):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10))  # nobody booked it: the candidate
    seat = seat_of(interview, kenji)
    with django_capture_on_commit_callbacks(execute=True):
        kenji_client.post(
            reverse("my_cant_make", args=[seat.pk]), {"reason": "a-conflict-came-up"}
        )
    assert sorted(m.to[0] for m in SentEmail.objects.all()) == sorted(
        [recruiter.email, admin_member.email]
    )


def test_a_session_that_started_takes_no_notice(kenji_client, ats, plan, kenji, recruiter):
    start = (timezone.now() - dt.timedelta(minutes=10)).replace(microsecond=0)
    interview = book(ats, plan, [kenji], start, user=recruiter)
    seat = seat_of(interview, kenji)
    html = kenji_client.get(reverse("home")).content.decode()
    assert "Grace Hopper" in html and "I can’t make this" not in html
    response = kenji_client.post(
        reverse("my_cant_make", args=[seat.pk]), {"reason": "a-conflict-came-up"}, follow=True
    )
    assert "has started: call or write to the recruiter instead." in response.content.decode()
    assert not Flag.objects.exists()


# --- who may ---------------------------------------------------------------------------------


def test_another_interviewers_seat_and_another_teams_are_404(
    client, tenant, other_tenant, ats, plan, kenji, recruiter, outsider
):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    mia_user = make_member(tenant, "mia@acme.example", Membership.Role.INTERVIEWER)
    f.interviewer(tenant, "Mia Wong", user=mia_user)
    client.force_login(mia_user)
    assert client.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("my_cant_make_withdraw", args=[seat.pk])).status_code == 404
    assert "Grace Hopper" not in client.get(reverse("home")).content.decode()

    # An interviewer of another team, with the same id in the address.
    f.interviewer(other_tenant, "Otto Outsider", user=outsider)
    client.force_login(outsider)
    assert client.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "x"}).status_code == 404
    assert "Grace Hopper" not in client.get(reverse("home")).content.decode()
    assert not Flag.objects.exists()


def test_a_recruiter_without_an_interviewer_profile_keeps_their_home(recruiter_client):
    response = recruiter_client.get(reverse("home"))
    assert "My interviews" not in response.content.decode()
    assert recruiter_client.get(reverse("my_interviews")).status_code == 404
    assert recruiter_client.post(reverse("my_cant_make", args=[1])).status_code == 404


def test_a_recruiter_who_interviews_finds_their_interviews_under_my_interviews(
    recruiter_client, tenant, ats, plan, recruiter
):
    me = f.interviewer(tenant, "Rosa Recruiter", user=recruiter)
    book(ats, plan, [me], tokyo_day(4, 10), user=recruiter)
    home = recruiter_client.get(reverse("home"))
    assert home.status_code in (200, 302)  # the pipeline or the setup steps, as before
    page = recruiter_client.get(reverse("my_interviews")).content.decode()
    assert "Grace Hopper" in page
    assert f'href="{reverse("my_interviews")}"' in page  # in the navigation


def test_the_notice_needs_the_csrf_token(kenji_user, kenji, ats, plan, recruiter):
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(kenji_user)
    assert "csrfmiddlewaretoken" in strict.get(reverse("home")).content.decode()
    refused = strict.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "im-unwell"})
    assert refused.status_code == 403
    assert not Flag.objects.exists()


def test_once_the_interview_has_ended_the_notice_stays_as_history_without_actions(
    kenji_client, ats, plan, kenji, recruiter
):
    recruiter_client = Client()
    recruiter_client.force_login(recruiter)
    interview = book(ats, plan, [kenji], tokyo_day(5, 10), user=recruiter)
    seat = seat_of(interview, kenji)
    kenji_client.post(reverse("my_cant_make", args=[seat.pk]), {"reason": "im-unwell"})
    url = reverse("interview_detail", args=[interview.pk])
    before = recruiter_client.get(url).content.decode()
    assert "Needs your attention" in before and "Choose new times" in before
    # Nobody swapped him and the interview took place.
    with time_machine.travel(interview.end_at + dt.timedelta(hours=1), tick=False):
        after = recruiter_client.get(url).content.decode()
    assert "Raised before it took place" in after
    assert "Kenji Sato can’t make “Coding”" in after and "nobody was swapped in" in after
    assert "Needs your attention" not in after and "Needs attention" not in after
    assert "Choose new times" not in after and f"Swap {kenji.name}" not in after

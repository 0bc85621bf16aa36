"""The feedback pages as interviewers and recruiters use them: the emailed link and its
scoping, drafts, submitting, "My feedback", the recruiter's view and nudge, who sees what."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from candidates import links
from scheduling import feedback
from scheduling.lib import zones
from scheduling.models import AuditEntry, FeedbackRequest, Membership, Operation
from tests.conftest import make_member
from tests.feedback_helpers import answers, past_interview, perform_emails, requests_of, values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_real_unified(settings):
    settings.UNIFIED_BASE_URL = "http://unified.invalid"


@pytest.fixture
def panel(tenant):
    panel = past_interview(tenant)
    feedback.request_due()
    panel.asked = requests_of(panel)
    return panel


def link(item):
    return reverse("feedback_link", args=[feedback.token_for(item)])


def draft_link(item):
    return reverse("feedback_link_draft", args=[feedback.token_for(item)])


def htmx(client, url, data):
    return client.post(url, data, headers={"HX-Request": "true"})


@pytest.fixture
def ivy_member(panel, tenant):
    """Ivy signs in to Convene, as an interviewer."""
    user = make_member(tenant, "ivy@acme.example", Membership.Role.INTERVIEWER, first_name="Ivy")
    panel.ivy.user = user
    panel.ivy.save()
    return user


# --- the emailed link ---------------------------------------------------------------------------


def test_the_emailed_link_opens_that_interviewers_form_without_sign_in(client, panel):
    perform_emails()
    ivy_mail = next(m for m in mail.outbox if m.to == [panel.ivy.email])
    url = re.search(r"http://\S+/feedback/\S+/", ivy_mail.body).group(0)

    page = client.get(url.removeprefix("http://127.0.0.1:8000"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Feedback on Grace Hopper" in html and "Ivy Chen" in html and "Technical" in html
    # The time on Ivy's clock, its zone named in words as on every other page.
    zone_words = zones.describe(panel.ivy.timezone, panel.asked["Ivy"].session.start_at)
    assert f'<span class="muted">{zone_words}</span>' in html
    # Nobody else's feedback; the session's panel is named only where one may be marked
    # absent (they were all on the invitation).
    assert "Sam Ortiz" not in html
    assert "Tom Lee" not in html.split('id="attendance"')[0]
    for text in ("1. Problem solving", "2. Communication", "Strong yes", "Definitely not"):
        assert text in html
    assert 'hx-trigger="input changed delay:800ms' in html
    assert f'hx-post="{draft_link(panel.asked["Ivy"])}"' in html
    assert "X-CSRFToken" in html  # hx-headers on <body>
    assert page["Cache-Control"] == "private, no-store"


def test_a_tampered_link_shows_the_invalid_page(client, panel):
    token = feedback.token_for(panel.asked["Ivy"])
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", token + "x"):
        response = client.get(reverse("feedback_link", args=[bad]))
        assert response.status_code == 404
        assert "This feedback link is not valid" in response.content.decode()


def test_feedback_link_pages_are_not_indexed_cached_or_referred(client, panel):
    """The pages carry the candidate's name and the interviewer's scorecard."""
    ivy = panel.asked["Ivy"]
    for response in (
        client.get(link(ivy)),
        htmx(client, draft_link(ivy), answers()),
        client.post(link(ivy), answers(recommendation="")),
        client.get(reverse("feedback_link", args=["nonsense"])),
    ):
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "private, no-store"
    for page in (client.get(link(ivy)), client.get(reverse("feedback_link", args=["x"]))):
        html = page.content.decode()
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert '<meta name="referrer" content="no-referrer">' in html


@pytest.mark.parametrize("origin", ["null", None])
def test_the_feedback_form_posts_under_no_referrer_with_its_token(panel, origin):
    """Under the page's no-referrer policy browsers send `Origin: null`, or over HTTPS
    neither Origin nor Referer: the CSRF token still decides."""
    client = Client(enforce_csrf_checks=True)
    ivy = panel.asked["Ivy"]
    page = client.get(link(ivy))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    data = {**answers(), "csrfmiddlewaretoken": token.group(1)}
    extra = {"HTTP_ORIGIN": origin} if origin else {"secure": True}
    assert client.post(draft_link(ivy), data, **extra).status_code == 302
    evil = client.post(draft_link(ivy), data, HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403
    assert client.post(draft_link(ivy), answers(), HTTP_ORIGIN="null").status_code == 403


def test_a_link_works_only_for_its_own_interviewer_and_interview(client, panel, tenant):
    ivy, tom = panel.asked["Ivy"], panel.asked["Tom"]
    signature = feedback.token_for(ivy).rsplit(".", 1)[1]
    # Ivy's signature on Tom's request (same interview), or on another interview's request.
    other = past_interview(tenant, ended_ago=dt.timedelta(days=1))
    feedback.request_due()
    elsewhere = other.interview.feedback_requests.get(interviewer=panel.ivy)
    for forged in (f"{tom.pk}.{signature}", f"{elsewhere.pk}.{signature}"):
        assert client.get(reverse("feedback_link", args=[forged])).status_code == 404
        response = client.post(reverse("feedback_link", args=[forged]), answers())
        assert response.status_code == 404
    # A booking link's token is no feedback token, and the other way round.
    booking_token = links._signer.sign(str(ivy.pk))
    assert client.get(reverse("feedback_link", args=[booking_token])).status_code == 404
    with pytest.raises(links.LinkError) as refused:
        links.resolve(feedback.token_for(ivy))
    assert refused.value.kind == "tampered"
    # And Ivy's real link changes Ivy's request only.
    client.post(link(ivy), answers())
    assert FeedbackRequest.objects.filter(status="submitted").get() == ivy
    assert not Operation.objects.filter(
        kind=Operation.Kind.CREATE_SCORECARD, payload__feedback_request=str(tom.pk)
    ).exists()


def test_an_expired_link_shows_the_expired_page_and_changes_nothing(client, panel):
    ivy = panel.asked["Ivy"]
    with time_machine.travel(ivy.expires_at + dt.timedelta(minutes=1)):
        page = client.get(link(ivy))
        assert page.status_code == 410
        assert "This feedback link has expired" in page.content.decode()
        assert client.post(link(ivy), answers()).status_code == 410
        fragment = htmx(client, draft_link(ivy), answers())
        assert fragment.status_code == 410 and "This link has expired" in fragment.content.decode()
    ivy.refresh_from_db()
    assert ivy.status == "requested" and not ivy.recommendation


def test_a_canceled_interview_needs_no_feedback(client, panel):
    from scheduling import booking

    booking.cancel(panel.interview, reason="Withdrew", notify_candidate=False)
    page = client.get(link(panel.asked["Ivy"]))
    assert page.status_code == 410 and "This interview was canceled" in page.content.decode()


# --- drafts -------------------------------------------------------------------------------------


def test_autosave_answers_the_status_line_alone_and_the_draft_survives_a_reopened_tab(
    client, panel
):
    ivy = panel.asked["Ivy"]
    when = ivy.requested_at + dt.timedelta(hours=1)
    saved_at = f"Saved at {timezone.localtime(when, zones.zone('Europe/Berlin')):%H:%M}"
    with time_machine.travel(when, tick=False):
        response = htmx(
            client, draft_link(ivy), answers(recommendation="NO", note="Half-way thoughts")
        )
    html = response.content.decode().strip()
    assert response.status_code == 200
    assert html.startswith('<p id="draft-status"') and "<html" not in html
    assert saved_at in html  # in Ivy's zone, Berlin
    ivy.refresh_from_db()
    assert ivy.status == "draft" and ivy.recommendation == "NO"
    assert ivy.answers[0] == {"rating": 3, "comment": "Clear thinking"}

    reopened = client.get(link(ivy)).content.decode()
    assert re.search(r'<input type="radio" name="recommendation" value="NO"[^>]*checked', reopened)
    assert '<option value="3" selected>3 – Meets the bar</option>' in reopened
    assert "Half-way thoughts</textarea>" in reopened
    assert saved_at in reopened


def test_without_javascript_save_draft_returns_to_the_page(client, panel):
    ivy = panel.asked["Ivy"]
    response = client.post(draft_link(ivy), answers(recommendation=""), follow=True)
    assert response.redirect_chain == [(link(ivy), 302)]
    assert "Draft saved." in response.content.decode()
    ivy.refresh_from_db()
    assert ivy.status == "draft" and ivy.note == "Would work well with the platform team."


def test_a_draft_keeps_the_saved_value_of_a_field_that_does_not_validate(client, panel):
    ivy = panel.asked["Ivy"]
    htmx(client, draft_link(ivy), answers())
    data = {**answers(note="Changed"), "q0_rating": "9", "recommendation": "MAYBE"}
    assert htmx(client, draft_link(ivy), data).status_code == 200
    ivy.refresh_from_db()
    assert ivy.answers[0]["rating"] == 3 and ivy.recommendation == "YES" and ivy.note == "Changed"


# --- submitting ---------------------------------------------------------------------------------


def test_submitting_without_a_recommendation_says_so_beside_it_and_keeps_the_answers(
    client, panel
):
    ivy = panel.asked["Ivy"]
    response = client.post(link(ivy), answers(recommendation=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="recommendation-error">Choose a recommendation before you submit.' in html
    assert "Clear thinking</textarea>" in html
    ivy.refresh_from_db()
    assert ivy.status == "draft" and ivy.answers[1]["comment"] == "Listens well"
    assert not Operation.objects.filter(kind=Operation.Kind.CREATE_SCORECARD).exists()


def test_submit_shows_thank_you_with_a_read_only_copy_and_cannot_be_repeated(client, panel):
    ivy = panel.asked["Ivy"]
    response = client.post(link(ivy), answers(), follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(link(ivy), 302)]
    assert "Thank you — submitted" in html
    assert "Clear thinking" in html and "3/4 · Meets the bar" in html and "Yes" in html
    assert 'name="recommendation"' not in html  # read-only now

    again = client.post(link(ivy), answers(recommendation="NO"), follow=True)
    assert "already submitted" in again.content.decode()
    late_draft = htmx(client, draft_link(ivy), answers(recommendation="NO"))
    assert late_draft.status_code == 409
    assert "already submitted" in late_draft.content.decode()
    ivy.refresh_from_db()
    assert ivy.recommendation == "YES"
    assert Operation.objects.filter(kind=Operation.Kind.CREATE_SCORECARD).count() == 1
    entry = AuditEntry.objects.get(action="feedback.submitted")
    assert entry.message == "Ivy Chen submitted feedback on “Technical” (through the emailed link)"


# --- members ------------------------------------------------------------------------------------


def test_my_feedback_lists_my_requests_and_is_linked_from_the_nav_and_profile(
    client, panel, ivy_member
):
    client.force_login(ivy_member)
    page = client.get(reverse("my_feedback"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("my_feedback_detail", args=[panel.asked["Ivy"].pk]) in html
    assert str(panel.asked["Tom"].pk) not in html and str(panel.asked["Sam"].pk) not in html
    assert re.search(r"My feedback <span class=\"badge warn\">1</span>", html)
    profile = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("my_feedback")}"' in profile and "1 waiting" in profile


def test_the_nav_has_no_my_feedback_for_someone_who_is_no_interviewer(recruiter_client):
    assert "My feedback" not in recruiter_client.get(reverse("profile")).content.decode()


def test_a_member_cannot_open_a_colleagues_request(client, panel, ivy_member):
    client.force_login(ivy_member)
    tom = panel.asked["Tom"]
    assert client.get(reverse("my_feedback_detail", args=[tom.pk])).status_code == 404
    assert client.post(reverse("my_feedback_detail", args=[tom.pk]), answers()).status_code == 404
    draft = reverse("my_feedback_draft", args=[tom.pk])
    assert client.post(draft, answers()).status_code == 404
    tom.refresh_from_db()
    assert tom.status == "requested"


def test_a_member_can_still_give_feedback_after_the_link_expired(client, panel, ivy_member):
    ivy = panel.asked["Ivy"]
    FeedbackRequest.objects.filter(pk=ivy.pk).update(expires_at=timezone.now())
    client.force_login(ivy_member)
    assert client.get(link(ivy)).status_code == 410
    mine = reverse("my_feedback_detail", args=[ivy.pk])
    response = client.post(mine, answers(), follow=True)
    assert "Thank you — submitted" in response.content.decode()


def test_my_feedback_needs_sign_in(client, panel):
    response = client.get(reverse("my_feedback"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_colleagues_feedback_shows_to_a_member_only_after_their_own_is_in(
    client, panel, ivy_member
):
    feedback.submit(panel.asked["Tom"], values(note="Tom private view"))
    client.force_login(ivy_member)
    mine = reverse("my_feedback_detail", args=[panel.asked["Ivy"].pk])
    assert "Tom private view" not in client.get(mine).content.decode()

    htmx(client, reverse("my_feedback_draft", args=[panel.asked["Ivy"].pk]), answers())
    response = client.post(mine, answers(), follow=True)

    html = response.content.decode()
    assert "Thank you — submitted" in html
    assert "The rest of the panel" in html and "Tom private view" in html
    assert FeedbackRequest.objects.get(pk=panel.asked["Ivy"].pk).submitted_by == ivy_member
    # The emailed link never shows the others', even after submitting.
    assert "Tom private view" not in client.get(link(panel.asked["Ivy"])).content.decode()


def test_another_tenants_member_gets_404_for_my_feedback_pages(outsider_client, panel):
    ivy = panel.asked["Ivy"]
    assert outsider_client.get(reverse("my_feedback_detail", args=[ivy.pk])).status_code == 404
    response = outsider_client.post(reverse("my_feedback_draft", args=[ivy.pk]), answers())
    assert response.status_code == 404


# --- recruiters ---------------------------------------------------------------------------------


def test_recruiters_see_each_interviewers_state_lateness_and_submitted_feedback(
    recruiter_client, panel
):
    feedback.submit(panel.asked["Sam"], values(note="Sam notes"))
    url = reverse("interview_detail", args=[panel.interview.pk])
    with time_machine.travel(panel.asked["Ivy"].due_at + dt.timedelta(hours=2), tick=False):
        html = recruiter_client.get(url).content.decode()
    feedback_section = html[html.index('id="feedback"') :]
    assert feedback_section.count("Missing") == 2 and "2\xa0hours late" in feedback_section
    assert "Submitted" in feedback_section and "Sam notes" in feedback_section
    assert "Remind now" in feedback_section
    assert "not filed in" in feedback_section


def test_the_interviewers_page_lists_what_they_still_owe(recruiter_client, panel):
    feedback.submit(panel.asked["Tom"], values())
    with time_machine.travel(panel.asked["Ivy"].due_at + dt.timedelta(days=1), tick=False):
        ivy = recruiter_client.get(reverse("interviewer_detail", args=[panel.ivy.pk]))
        tom = recruiter_client.get(reverse("interviewer_detail", args=[panel.tom.pk]))
    assert "Grace Hopper — Technical" in ivy.content.decode()
    assert "1\xa0day late" in ivy.content.decode()
    assert "has given all the feedback asked of them" in tom.content.decode()


def test_a_recruiter_on_the_panel_sees_the_others_only_after_submitting(client, panel, tenant):
    rosa = make_member(tenant, "rosa.panel@acme.example")
    panel.ivy.user = rosa
    panel.ivy.save()
    feedback.submit(panel.asked["Tom"], values(note="Tom private view"))
    client.force_login(rosa)
    url = reverse("interview_detail", args=[panel.interview.pk])

    before = client.get(url).content.decode()
    assert "Tom private view" not in before
    assert "what the others wrote shows once your own feedback is in" in before
    feedback.submit(panel.asked["Ivy"], values())
    assert "Tom private view" in client.get(url).content.decode()


def test_interviewers_cannot_open_the_recruiters_interview_page(client, panel, ivy_member):
    client.force_login(ivy_member)
    url = reverse("interview_detail", args=[panel.interview.pk])
    assert client.get(url).status_code == 403


def test_remind_now_sends_at_once_is_audited_and_refused_within_the_hour(
    recruiter_client, recruiter, panel, django_capture_on_commit_callbacks
):
    perform_emails()
    mail.outbox.clear()
    url = reverse("feedback_nudge", args=[panel.interview.pk, panel.asked["Ivy"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = recruiter_client.post(url, follow=True)
    assert response.redirect_chain[0][0].endswith("#feedback")
    html = response.content.decode()
    assert "Reminder on its way to Ivy Chen." in html
    assert "Reminded Ivy Chen about their feedback on “Technical”" in html  # history
    (email,) = mail.outbox
    assert email.to == [panel.ivy.email] and email.subject.startswith("Reminder:")
    assert AuditEntry.objects.get(action="feedback.nudged").actor == recruiter

    again = recruiter_client.post(url, follow=True).content.decode()
    assert "at most one reminder an hour" in again
    assert len(mail.outbox) == 1
    later = timezone.now() + dt.timedelta(minutes=61)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        recruiter_client.post(url)
    assert len(mail.outbox) == 2


def test_other_tenants_get_404_for_the_interview_and_the_nudge(outsider_client, panel):
    assert (
        outsider_client.get(reverse("interview_detail", args=[panel.interview.pk])).status_code
        == 404
    )
    nudge = reverse("feedback_nudge", args=[panel.interview.pk, panel.asked["Ivy"].pk])
    assert outsider_client.post(nudge).status_code == 404
    assert FeedbackRequest.objects.get(pk=panel.asked["Ivy"].pk).reminders_sent == 0


def test_a_nudge_must_name_a_request_of_that_interview(recruiter_client, panel, tenant):
    other = past_interview(tenant, ended_ago=dt.timedelta(days=1))
    feedback.request_due()
    foreign = other.interview.feedback_requests.first()
    url = reverse("feedback_nudge", args=[panel.interview.pk, foreign.pk])
    assert recruiter_client.post(url).status_code == 404


# --- candidates ---------------------------------------------------------------------------------


def test_feedback_never_shows_on_the_candidates_pages(client, panel):
    feedback.submit(panel.asked["Ivy"], values(note="Secret assessment"))
    try:
        reverse("booking_page", args=["x"])
    except NoReverseMatch:
        pytest.skip("the candidate's booking pages are not in this build")
    link_row = links.create_link(
        panel.app,
        panel.plan,
        user=None,
        window_start=timezone.now(),
        window_end=timezone.now() + dt.timedelta(days=7),
        expires_at=timezone.now() + dt.timedelta(days=7),
        send=False,
    )
    page = client.get(reverse("booking_page", args=[links.token_for(link_row)]))
    assert "Secret assessment" not in page.content.decode()
    assert "Clear thinking" not in page.content.decode()


# --- settings -----------------------------------------------------------------------------------


def test_admins_set_the_link_expiry_and_the_reminder_delay(admin_client_, tenant):
    url = reverse("feedback_settings")
    page = admin_client_.get(url).content.decode()
    assert "feedback links expire after (days)" in page.lower()
    refused = admin_client_.post(url, {"feedback_link_days": 0, "feedback_reminder_hours": 12})
    assert refused.status_code == 200 and "greater than or equal to 1" in refused.content.decode()
    response = admin_client_.post(url, {"feedback_link_days": 5, "feedback_reminder_hours": 0})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.feedback_link_days, tenant.feedback_reminder_hours) == (5, 0)
    assert AuditEntry.objects.filter(action="team.updated", tenant=tenant).exists()


def test_only_admins_change_feedback_settings(recruiter_client):
    assert recruiter_client.get(reverse("feedback_settings")).status_code == 403


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("feedback_link_days", "99999999999", "less than or equal to 365"),
        ("feedback_link_days", "366", "less than or equal to 365"),
        ("feedback_reminder_hours", "3000000", "less than or equal to 720"),
        ("feedback_reminder_hours", "-1", "greater than or equal to 0"),
    ],
)
def test_feedback_settings_out_of_range_are_refused_beside_the_field(
    admin_client_, tenant, field, value, message
):
    data = {"feedback_link_days": "14", "feedback_reminder_hours": "24", field: value}
    response = admin_client_.post(reverse("feedback_settings"), data)
    assert response.status_code == 200
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    assert error and message in error.group(1)
    tenant.refresh_from_db()
    assert (tenant.feedback_link_days, tenant.feedback_reminder_hours) == (14, 24)

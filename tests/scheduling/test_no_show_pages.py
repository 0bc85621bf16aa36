"""No-shows as people mark them: the recruiter on the interview page (and clearing a mistaken
mark), each interviewer from their feedback page (the emailed link or signed in); what the
pages then say; who is refused."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scheduling import attendance, feedback
from scheduling.models import FeedbackRequest, InterviewPlan, Membership, NoShow
from tests.conftest import make_member
from tests.feedback_helpers import past_interview, requests_of

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


def detail(panel):
    return reverse("interview_detail", args=[panel.interview.pk])


def mark_url(panel, title="Technical"):
    return reverse("interview_no_show", args=[panel.interview.pk, panel.sessions[title].pk])


def link(item, name="feedback_link"):
    return reverse(name, args=[feedback.token_for(item)])


# --- the recruiter ------------------------------------------------------------------------------


def test_the_recruiter_marks_the_candidate_absent_and_is_offered_to_reschedule(
    recruiter_client, panel
):
    page = recruiter_client.get(detail(panel)).content.decode()
    assert "Someone did not attend?" in page
    assert '<option value="candidate">The candidate did not attend</option>' in page

    response = recruiter_client.post(mark_url(panel), {"who": "candidate"}, follow=True)

    html = response.content.decode()
    assert "Marked: the candidate did not attend “Technical”." in html
    assert "Their feedback requests for it are withdrawn." in html
    assert '<span class="badge bad">Candidate did not attend</span>' in html
    assert "Grace did not attend" in html
    schedule = reverse("schedule", args=[panel.app.pk])
    assert f'<a class="button" href="{schedule}">Reschedule the no-show</a>' in html
    assert "marked by Rosa Recruiter" in html
    # The feedback panel no longer chases Ivy and Tom.
    assert panel.asked["Ivy"].__class__.objects.get(pk=panel.asked["Ivy"].pk).status == (
        FeedbackRequest.Status.WITHDRAWN
    )


def test_the_no_show_card_names_the_plan_the_picker_will_book_with(recruiter_client, panel):
    recruiter_client.post(mark_url(panel), {"who": "candidate"})
    page = recruiter_client.get(detail(panel)).content.decode()
    assert "opens the picker with the plan “Onsite”, for a new interview" in page
    assert "None: the interview took place before any was due." in page  # the Reminders card
    # The stage now has a plan of its own: the picker would book with that, and says so.
    InterviewPlan.objects.create(
        tenant=panel.interview.tenant, name="Second onsite", stage_status=panel.app.status
    )
    page = recruiter_client.get(detail(panel)).content.decode()
    assert (
        "opens the picker with the plan “Second onsite” (the plan for the application’s "
        "stage now; this interview used “Onsite”)"
    ) in page


def test_the_candidate_page_and_pipeline_say_the_candidate_did_not_attend(
    recruiter_client, panel, recruiter
):
    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)

    candidate_page = recruiter_client.get(
        reverse("candidate_detail", args=[panel.app.candidate.pk])
    ).content.decode()
    assert '<span class="badge bad">Candidate did not attend</span>' in candidate_page
    assert "Reschedule the no-show" in candidate_page

    pipeline = recruiter_client.get(reverse("pipeline"), {"state": "no_show"}).content.decode()
    assert "Grace Hopper" in pipeline and "Candidate did not attend" in pipeline


def test_the_recruiter_marks_an_interviewer_absent_and_clears_it(recruiter_client, panel):
    recruiter_client.post(mark_url(panel), {"who": str(panel.tom.pk)})
    mark = NoShow.objects.get()
    html = recruiter_client.get(detail(panel)).content.decode()
    assert '<span class="badge bad">An interviewer did not attend</span>' in html
    assert '<span class="badge bad">Tom Lee did not attend</span>' in html
    assert "Reschedule the no-show" not in html

    response = recruiter_client.post(
        reverse("interview_no_show_clear", args=[panel.interview.pk, mark.pk]), follow=True
    )

    assert "Cleared “Tom Lee did not attend “Technical””. 1 asked for feedback again." in (
        response.content.decode()
    )
    assert not NoShow.objects.exists()
    assert requests_of(panel)["Tom"].status == FeedbackRequest.Status.REQUESTED


def test_a_session_not_over_offers_no_marking_and_refuses_one(recruiter_client, tenant):
    panel = past_interview(tenant, ended_ago=-dt.timedelta(hours=3))

    assert "Someone did not attend?" not in recruiter_client.get(detail(panel)).content.decode()
    response = recruiter_client.post(mark_url(panel), {"who": "candidate"}, follow=True)

    assert "“Technical” has not ended yet" in response.content.decode()
    assert not NoShow.objects.exists()


def test_another_team_gets_404_and_an_interviewer_403(client, panel, outsider, tenant):
    client.force_login(outsider)
    assert client.post(mark_url(panel), {"who": "candidate"}).status_code == 404
    client.force_login(make_member(tenant, "ivan@acme.example", Membership.Role.INTERVIEWER))
    assert client.post(mark_url(panel), {"who": "candidate"}).status_code == 403
    assert not NoShow.objects.exists()


def test_marking_needs_the_csrf_token(panel, recruiter):
    client = Client(enforce_csrf_checks=True)
    client.force_login(recruiter)
    assert client.post(mark_url(panel), {"who": "candidate"}).status_code == 403
    assert client.post(link(panel.asked["Ivy"], "feedback_link_no_show")).status_code == 403
    assert not NoShow.objects.exists()


# --- the interviewer ----------------------------------------------------------------------------


def test_an_interviewer_marks_the_candidate_absent_from_the_emailed_link(client, panel):
    ivy = panel.asked["Ivy"]
    page = client.get(link(ivy)).content.decode()
    assert "Did it take place?" in page
    assert '<option value="candidate">The candidate</option>' in page
    assert f'<option value="{panel.tom.pk}">Tom Lee</option>' in page
    assert f'value="{panel.ivy.pk}"' not in page  # not herself

    response = client.post(link(ivy, "feedback_link_no_show"), {"who": "candidate"}, follow=True)

    html = response.content.decode()
    assert "Noted: the candidate did not attend “Technical”." in html
    assert "No feedback needed" in html
    assert "The candidate did not attend (marked by you), so there is nothing to give" in html
    assert "Submit feedback" not in html
    assert NoShow.objects.get().marked_by_label == "Ivy Chen"
    # Tom, on the same session, finds the same on his link; Sam (Values) still gives feedback.
    tom_page = client.get(link(panel.asked["Tom"])).content.decode()
    assert "The candidate did not attend (marked by Ivy Chen)" in tom_page
    assert "Submit feedback" in client.get(link(panel.asked["Sam"])).content.decode()
    # Submitting anyway changes nothing.
    client.post(link(ivy), {"recommendation": "YES"})
    assert requests_of(panel)["Ivy"].status == FeedbackRequest.Status.WITHDRAWN


def test_an_interviewer_marks_a_colleague_absent_and_still_gives_feedback(client, panel):
    response = client.post(
        link(panel.asked["Ivy"], "feedback_link_no_show"), {"who": str(panel.tom.pk)}, follow=True
    )

    html = response.content.decode()
    assert "Noted: tom Lee did not attend" not in html
    assert "Tom Lee did not attend “Technical”" in html
    assert "Submit feedback" in html
    tom_page = client.get(link(panel.asked["Tom"])).content.decode()
    assert "No feedback needed" in tom_page and "Tom Lee did not attend" in tom_page


def test_an_interviewer_cannot_mark_someone_from_another_session(client, panel):
    response = client.post(
        link(panel.asked["Ivy"], "feedback_link_no_show"), {"who": str(panel.sam.pk)}, follow=True
    )

    assert "That person was not on “Technical”." in response.content.decode()
    assert not NoShow.objects.exists()


def test_signed_in_interviewers_mark_only_from_their_own_feedback(client, panel, tenant):
    sam_user = make_member(tenant, "sam@acme.example", Membership.Role.INTERVIEWER)
    panel.sam.user = sam_user
    panel.sam.save()
    client.force_login(sam_user)

    # Ivy's request is not Sam's: 404, nothing marked.
    ivys = reverse("my_feedback_no_show", args=[panel.asked["Ivy"].pk])
    assert client.post(ivys, {"who": "candidate"}).status_code == 404
    assert not NoShow.objects.exists()

    his = reverse("my_feedback_no_show", args=[panel.asked["Sam"].pk])
    response = client.post(his, {"who": "candidate"}, follow=True)
    assert "No feedback needed" in response.content.decode()
    assert NoShow.objects.get().session == panel.sessions["Values"]
    # "My feedback" no longer lists it as waiting.
    mine = client.get(reverse("my_feedback")).content.decode()
    assert "Give feedback" not in mine
    assert "<h2>Not needed</h2>" in mine and "Grace Hopper — Values" in mine


def test_the_pipeline_leaves_the_no_show_state_once_a_new_interview_is_booked(
    recruiter_client, panel, recruiter, tenant
):
    attendance.mark(panel.sessions["Technical"], attendance.CANDIDATE, user=recruiter)
    assert (
        "Grace Hopper"
        in recruiter_client.get(reverse("pipeline"), {"state": "no_show"}).content.decode()
    )

    past_interview(tenant, app=panel.app, ended_ago=-dt.timedelta(days=2))

    no_shows = recruiter_client.get(reverse("pipeline"), {"state": "no_show"}).content.decode()
    scheduled = recruiter_client.get(reverse("pipeline"), {"state": "scheduled"}).content.decode()
    assert "Grace Hopper" not in no_shows and "Grace Hopper" in scheduled
    # Once the new one has ended too, the application is where that one left it.
    with time_machine.travel(timezone.now() + dt.timedelta(days=3), tick=False):
        recruiter_client.force_login(recruiter)
        no_shows = recruiter_client.get(reverse("pipeline"), {"state": "no_show"})
        due = recruiter_client.get(reverse("pipeline"), {"state": "feedback_due"})
    assert "Grace Hopper" not in no_shows.content.decode()
    assert "Grace Hopper" in due.content.decode()

"""Changes within limits, as the candidate and the recruiter meet them: the reschedule
limit and the cut-off (the plan's, else the team's) refuse plainly with whom to write to,
and the reasons chosen from the team's list are kept as data. Same world as
test_booking_page: it is Tuesday 1 December 2026, the link offers 2–15 December."""

import datetime as dt
import urllib.parse

import pytest
from django.core import mail
from django.urls import reverse

from candidates import links
from scheduling import emails as candidate_emails
from scheduling.lib import reasons
from scheduling.models import AuditEntry, Interview, InterviewChange, Operation
from tests.candidates.links_helpers import url
from tests.candidates.test_booking_page import book_first, confirm, text

pytestmark = pytest.mark.django_db

MONDAY_10 = dt.datetime(2026, 12, 7, 15, tzinfo=dt.UTC)  # 10:00 in New York


def move(client, link, start, **data):
    link.refresh_from_db()
    return confirm(client, link, start, action="reschedule", **data)


def test_the_candidate_moves_with_a_reason_and_is_refused_past_the_limit(client, link):
    _start, interview = book_first(client, link)
    page = text(client.get(url("page", link)))
    assert "You can move it online up to twice." in page

    # The confirm page asks why, from the team's list, optionally.
    asked = client.get(url("confirm", link), {"start": "20261208T1500Z", "tz": "America/New_York"})
    assert "Why are you moving it? (optional)" in text(asked)
    assert "A conflict came up" in text(asked) and "Other" in text(asked)

    first = move(client, link, "20261208T1500Z", reason="a-conflict-came-up")
    assert first.status_code == 302, text(first)[:300]
    second = move(client, link, "20261209T1500Z", reason="other", reason_text="My train moved")
    assert second.status_code == 302

    changes = list(interview.changes.values_list("kind", "by", "reason_code", "reason_text"))
    assert changes == [
        ("rescheduled", "candidate", "a-conflict-came-up", ""),
        ("rescheduled", "candidate", "other", "My train moved"),
    ]
    history = AuditEntry.objects.filter(action="interview.rescheduled").order_by("id")
    assert history[0].message.endswith(": A conflict came up")
    assert history[1].message.endswith(": My train moved")
    # Their own reason is for the team: their email does not read it back to them.
    emails = Operation.objects.filter(payload__kind="interview_rescheduled")
    assert all("reason" not in op.payload["extra"] for op in emails)

    # Past the limit: the page says so, and whom to write to about which interview.
    response = client.get(url("page", link), {"tz": "America/New_York"})
    page = text(response)
    assert "You’ve already moved this interview twice, the most allowed online." in page
    assert "write to Rosa Recruiter: rosa@acme.example" in page
    assert "Choose another time" not in page and "Cancel the interview" in page
    subject = (
        "My interview for Compiler Engineer on Wed 9 Dec at 10:00 "
        "New York time (United States, UTC−5)"
    )
    assert f"mailto:rosa@acme.example?subject={urllib.parse.quote(subject)}" in (
        response.content.decode()
    )
    # The picker and the confirm page are not offered; a POST changes nothing (409).
    assert client.get(url("reschedule", link)).status_code == 302
    shown = client.get(url("confirm", link), {"start": "20261210T1500Z"})
    assert "the most allowed online" in text(shown)
    refused = move(client, link, "20261210T1500Z")
    assert refused.status_code == 409 and "the most allowed online" in text(refused)
    interview.refresh_from_db()
    assert interview.start_at == dt.datetime(2026, 12, 9, 15, tzinfo=dt.UTC)
    assert interview.changes.count() == 2
    # The new time's email says what the page says: cancel there, or see whom to ask.
    mail.outbox.clear()
    candidate_emails.interview_to_candidate(interview, "interview_rescheduled")
    (sent,) = mail.outbox
    assert "To cancel, or to see whom to ask for another time: http" in sent.body
    assert "To reschedule or cancel" not in sent.body
    assert "To cancel, or to see whom to ask for another time, <a" in sent.alternatives[0][0]


def test_the_recruiters_moves_do_not_count_against_the_candidate(client, link, recruiter):
    _start, interview = book_first(client, link)
    InterviewChange.objects.create(
        tenant=interview.tenant, interview=interview, kind="rescheduled", by="recruiter"
    )
    InterviewChange.objects.create(
        tenant=interview.tenant, interview=interview, kind="rescheduled", by="calendar"
    )
    assert links.can_reschedule(link)


def test_a_plans_limit_of_one_and_its_own_cut_off_override_the_teams(client, link, frozen):
    plan = link.plan
    plan.candidate_reschedule_limit = 1
    plan.candidate_change_cutoff_hours = 72
    plan.save()
    _start, interview = book_first(client, link)
    assert "You can move it online once." in text(client.get(url("page", link)))
    assert move(client, link, "20261210T1500Z").status_code == 302  # no reason: optional
    assert "You’ve already moved this interview once" in text(client.get(url("page", link)))

    # 48 hours before: inside the plan's 72, though the team's is 24.
    frozen.move_to(dt.datetime(2026, 12, 8, 15, tzinfo=dt.UTC))
    page = text(client.get(url("page", link)))
    assert "It is less than 72 hours before your interview" in page
    assert "To move or cancel it, write to Rosa Recruiter: rosa@acme.example" in page
    refused = client.post(url("cancel", link), {"version": link.version + 1})
    assert refused.status_code == 409
    interview.refresh_from_db()
    assert interview.is_active


def test_a_limit_of_zero_offers_no_move_but_cancel(client, link):
    team = link.tenant
    team.candidate_reschedule_limit = 0
    team.save()
    book_first(client, link)
    page = text(client.get(url("page", link)))
    assert "This interview can’t be moved online." in page and "Cancel the interview" in page
    # …and neither does the confirmation.
    mail.outbox.clear()
    candidate_emails.interview_to_candidate(Interview.objects.get(), "interview_confirmed")
    (sent,) = mail.outbox
    assert "To cancel, or to see whom to ask for another time: http" in sent.body


def test_the_candidates_cancel_reason_is_optional_unless_required(client, link):
    _start, interview = book_first(client, link)
    form = text(client.get(url("cancel", link)))
    assert "Why are you canceling? (optional)" in form
    assert "Accepted another offer" in form and "No longer interested" in form

    response = client.post(url("cancel", link), {"version": 1})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == "canceled" and interview.cancel_reason == ""
    (change,) = interview.changes.all()
    assert (change.kind, change.by, change.reason_code) == ("canceled", "candidate", "")
    notice = Operation.objects.get(payload__kind="candidate_canceled")
    assert notice.payload["reason"] == ""


def test_a_plan_that_requires_a_reason_asks_for_one(client, link):
    plan = link.plan
    plan.cancel_reason_required = True
    plan.save()
    _start, interview = book_first(client, link)
    assert "(optional)" not in text(client.get(url("cancel", link)))

    refused = client.post(url("cancel", link), {"version": 1})
    assert refused.status_code == 400 and "Choose a reason, or “Other” and a few words." in text(
        refused
    )
    refused = client.post(url("cancel", link), {"version": 1, "reason": "other"})
    assert refused.status_code == 400 and "Say why in a few words" in text(refused)
    interview.refresh_from_db()
    assert interview.is_active

    done = client.post(
        url("cancel", link),
        {"version": 1, "reason": "accepted-another-offer", "reason_text": "Closer to home"},
    )
    assert done.status_code == 302
    interview.refresh_from_db()
    assert interview.cancel_reason == "Accepted another offer: Closer to home"
    change = interview.changes.get()
    assert (change.reason_code, change.reason_label, change.reason_text) == (
        "accepted-another-offer",
        "Accepted another offer",
        "Closer to home",
    )


def test_a_team_that_requires_a_reason_is_followed_unless_the_plan_says_optional(client, link):
    team = link.tenant
    team.cancel_reason_required = True
    team.save()
    book_first(client, link)
    assert client.post(url("cancel", link), {"version": 1}).status_code == 400
    plan = link.plan
    plan.cancel_reason_required = False
    plan.save()
    assert client.post(url("cancel", link), {"version": 1}).status_code == 302


def test_the_team_edits_its_reasons_and_limits_in_settings(admin_client_, tenant):
    page = admin_client_.get(reverse("team_settings"))
    assert "Changes by candidates" in text(page) and "A conflict came up" in text(page)
    assert "Your team’s reasons" in text(page)
    assert "The position was filled or closed" in text(page)
    data = {
        "name": tenant.name,
        "default_timezone": tenant.default_timezone,
        "interview_statuses": tenant.interview_statuses,
        "candidate_days": [str(d) for d in tenant.candidate_days],
        "candidate_hours_start": "08:00",
        "candidate_hours_end": "20:00",
        "candidate_invitation": tenant.candidate_invitation,
        "candidate_reschedule_limit": "3",
        "cancel_reason_required": "on",
        "reschedule_reasons": "Sick child\n\nsick child\nOther\nA new conflict",
        "cancel_reasons": "Took another job",
        "team_cancel_reasons": "Hiring freeze\nThe candidate withdrew",
    }
    response = admin_client_.post(reverse("team_settings"), data)
    assert response.status_code == 302, text(response)[:600]
    tenant.refresh_from_db()
    assert tenant.candidate_reschedule_limit == 3 and tenant.cancel_reason_required
    assert tenant.reschedule_reasons == ["Sick child", "A new conflict"]
    assert tenant.cancel_reasons == ["Took another job"]
    # The team's own list, apart from the candidate's; left out of the post, one keeps its own.
    assert tenant.team_cancel_reasons == ["Hiring freeze", "The candidate withdrew"]
    assert tenant.team_reschedule_reasons == reasons.DEFAULT_TEAM_RESCHEDULE
    too_many = admin_client_.post(
        reverse("team_settings"), {**data, "candidate_reschedule_limit": "99"}
    )
    assert "Nothing was saved" in text(too_many)
    assert "less than or equal to 20" in text(too_many)


def test_the_recruiter_chooses_why_an_interview_moves(client, link, recruiter_client):
    _start, interview = book_first(client, link)
    page_url = reverse("reschedule", args=[interview.pk])
    picker = text(
        recruiter_client.get(page_url, {"week": "2026-12-07", "at": "2026-12-10T15:00:00+00:00"})
    )
    assert "Why it moves (optional, for your team and Reports)" in picker
    # The team's own list, not the candidate's.
    assert "The candidate asked to move it" in picker and "Note to Grace" in picker
    assert "Feeling unwell" not in picker

    moved = recruiter_client.post(
        page_url,
        {
            "start": "2026-12-10T15:00:00+00:00",
            "week": "2026-12-07",
            "reason": "the-candidate-asked-to-move-it",
            "reason_text": "Grace called in",
            "message": "Get well soon.",
        },
    )
    assert moved.status_code == 302, text(moved)[:500]
    change = Interview.objects.get(pk=interview.pk).changes.get()
    assert (change.by, change.reason_code, change.reason_label, change.reason_text) == (
        "recruiter",
        "the-candidate-asked-to-move-it",
        "The candidate asked to move it",
        "Grace called in",
    )
    # The candidate reads the recruiter's note, the team the reason.
    email = Operation.objects.filter(payload__kind="interview_rescheduled").get()
    assert email.payload["extra"]["reason"] == "Get well soon."
    entry = AuditEntry.objects.get(action="interview.rescheduled")
    assert entry.message.endswith(": The candidate asked to move it: Grace called in")
    assert entry.data["reason_code"] == "the-candidate-asked-to-move-it"
    # …and the recruiter's move leaves the candidate their two, as the page says.
    assert links.can_reschedule(link)
    page = text(recruiter_client.get(reverse("interview_detail", args=[interview.pk])))
    assert "Grace’s changes" in page
    assert (
        "Moved 0 of 2 times allowed online; can move or cancel online until Wed 9 Dec, 10:00"
        in page
    )

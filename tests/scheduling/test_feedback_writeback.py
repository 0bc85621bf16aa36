"""Filing feedback in the ATS through the outbox, with Unified answered by `responses`: what
is sent, what is adopted after a lost answer, the note for an ATS without scorecards, and
the ATS interview's status."""

import json

import pytest
import responses
from django.urls import reverse

from scheduling import feedback, outbox
from scheduling.lib import zones
from scheduling.models import FeedbackRequest, Operation
from tests.feedback_helpers import past_interview, requests_of, values

pytestmark = pytest.mark.django_db

BASE = "http://unified.invalid"
ATS_ID = "a" * 24


@pytest.fixture(autouse=True)
def _unified(settings):
    settings.UNIFIED_BASE_URL = BASE


@pytest.fixture
def panel(tenant):
    from tests import factories as f

    panel = past_interview(tenant, ats=f.connection(tenant, unified_id=ATS_ID))
    # The booking's own writes went through: each session has its ATS interview.
    Operation.objects.update(status="done")
    for number, session in enumerate(panel.sessions.values(), start=1):
        session.ats_record = "interview"
        session.ats_interview_id = f"int{number}"
        session.event_id = f"ev{number}"
        session.save()
    feedback.request_due()
    return panel


def scorecard_op(item):
    return Operation.objects.get(
        kind=Operation.Kind.CREATE_SCORECARD, payload__feedback_request=str(item.pk)
    )


def interview_json(id_="int1", status="AWAITING_FEEDBACK"):
    return {"id": id_, "status": status, "updated_at": "2026-11-24T10:00:00Z"}


@responses.activate
def test_the_scorecard_names_the_sessions_ats_interview_and_the_interviewers_employee(panel):
    ivy = requests_of(panel)["Ivy"]
    feedback.submit(ivy, values())
    responses.post(f"{BASE}/ats/{ATS_ID}/scorecard", json={"id": "sc1"})

    op = outbox.perform(scorecard_op(ivy).pk)

    assert op.status == "done" and op.result == {"ats_record": "scorecard", "id": "sc1"}
    body = json.loads(responses.calls[0].request.body)
    app = panel.app
    assert body["interview_id"] == "int1"
    assert (body["application_id"], body["candidate_id"], body["job_id"]) == (
        app.remote_id,
        app.candidate.remote_id,
        app.job.remote_id,
    )
    assert body["interviewer_id"] == "emp-ivy" and body["recommendation"] == "YES"
    assert body["questions"] == [
        {"text": "Problem solving", "answer": "3/4 (Meets the bar). Clear thinking"},
        {"text": "Communication", "answer": "4/4 (Above the bar). Listens well"},
    ]
    assert body["comment"].startswith("Would work well with the platform team.")
    assert f"convene-feedback:{ivy.pk}" in body["comment"]
    ivy.refresh_from_db()
    assert (ivy.ats_record, ivy.ats_record_id) == ("scorecard", "sc1")
    # Done is done: performing it again sends nothing.
    Operation.objects.filter(pk=op.pk).update(status="pending")
    assert outbox.perform(op.pk).result["already_done"] is True
    assert len(responses.calls) == 1


@responses.activate
def test_a_lost_answer_adopts_the_scorecard_instead_of_filing_a_second(panel):
    ivy = requests_of(panel)["Ivy"]
    feedback.submit(ivy, values())
    responses.post(f"{BASE}/ats/{ATS_ID}/scorecard", status=500, json={"message": "boom"})
    op = outbox.perform(scorecard_op(ivy).pk)
    assert op.status == "pending" and op.last_error

    responses.get(
        f"{BASE}/ats/{ATS_ID}/scorecard",
        json=[
            # Tom's own, and one Ivy filed by hand in the ATS: neither is ours.
            {"id": "sc7", "interviewer_id": "emp-tom", "comment": f"x ({ivy.ref})"},
            {"id": "sc8", "interviewer_id": "emp-ivy", "comment": "typed in the ATS"},
            {
                "id": "sc9",
                "interviewer_id": "emp-ivy",
                "comment": f"Filed by Convene ({ivy.ref}).",
            },
        ],
    )
    Operation.objects.filter(pk=op.pk).update(next_attempt_at=None)
    op = outbox.perform(op.pk)

    assert op.status == "done" and op.result["found_existing"] is True
    assert op.result["id"] == "sc9"
    assert "interview_id=int1" in responses.calls[-1].request.url
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1


@responses.activate
def test_an_ats_without_scorecards_gets_a_note_remembered_and_shown(panel, recruiter_client):
    asked = requests_of(panel)
    feedback.submit(asked["Ivy"], values())
    responses.post(
        f"{BASE}/ats/{ATS_ID}/scorecard",
        status=501,
        json={"message": "createAtsScorecard is not supported by lever"},
    )
    responses.post(f"{BASE}/ats/{ATS_ID}/activity", json={"id": "act1"})

    op = outbox.perform(scorecard_op(asked["Ivy"]).pk)

    assert op.status == "done" and op.result["ats_record"] == "activity"
    note = json.loads(responses.calls[1].request.body)
    assert note["type"] == "NOTE" and note["title"] == "Interview feedback from Ivy Chen"
    assert "Recommendation: Yes." in note["description"]
    assert "Problem solving: 3/4 (Meets the bar). Clear thinking" in note["description"]
    # Written as a person would: the team's clock with its zone, the ref a short last line.
    zone = zones.describe(panel.interview.tenant.default_timezone, panel.interview.start_at)
    assert f" {zone}." in note["description"].split("\n\n")[0]
    assert note["description"].split("\n\n")[-1] == f"Ref: cv-{asked['Ivy'].pk.hex[:10]}"
    assert "convene-" not in note["description"]
    assert note["application_id"] == panel.app.remote_id
    panel.ats.refresh_from_db()
    assert panel.ats.capabilities == {"scorecard_write": False}
    # The next submission does not ask for a scorecard again.
    feedback.submit(asked["Tom"], values())
    outbox.perform(scorecard_op(asked["Tom"]).pk)
    assert len([c for c in responses.calls if c.request.url.endswith("/scorecard")]) == 1
    page = recruiter_client.get(reverse("interview_detail", args=[panel.interview.pk]))
    text = " ".join(page.content.decode().split())
    assert (
        "Recorded as a note on the application in Greenhouse:</strong> Greenhouse does not "
        "accept scorecards from Convene." in text
    )


@responses.activate
def test_an_interviewer_without_an_ats_user_is_filed_as_a_note(panel):
    panel.ivy.ats_user_id = ""
    panel.ivy.save()
    ivy = requests_of(panel)["Ivy"]
    feedback.submit(ivy, values())
    responses.post(f"{BASE}/ats/{ATS_ID}/activity", json={"id": "act2"})
    assert outbox.perform(scorecard_op(ivy).pk).result["ats_record"] == "activity"
    assert FeedbackRequest.objects.get(pk=ivy.pk).ats_record_id == "act2"


@responses.activate
def test_the_ats_interview_waits_for_feedback_then_completes(panel):
    responses.put(f"{BASE}/ats/{ATS_ID}/interview/int1", json=interview_json())
    waiting = Operation.objects.get(
        kind=Operation.Kind.UPDATE_ATS_INTERVIEW,
        session=panel.sessions["Technical"],
        payload__status="AWAITING_FEEDBACK",
    )
    assert outbox.perform(waiting.pk).status == "done"
    sent = json.loads(responses.calls[0].request.body)
    assert sent["status"] == "AWAITING_FEEDBACK" and set(sent["user_ids"]) == {
        "emp-ivy",
        "emp-tom",
    }

    asked = requests_of(panel)
    responses.post(f"{BASE}/ats/{ATS_ID}/scorecard", json={"id": "sc1"})
    for name in ("Ivy", "Tom"):
        feedback.submit(asked[name], values())
        outbox.perform(scorecard_op(asked[name]).pk)
    complete = Operation.objects.get(payload__status="COMPLETE")
    assert outbox.perform(complete.pk).status == "done"
    assert json.loads(responses.calls[-1].request.body)["status"] == "COMPLETE"

    # Any later update (a webhook, a reconcile) keeps the status feedback gave it.
    later = outbox.add(
        panel.interview.tenant,
        Operation.Kind.UPDATE_ATS_INTERVIEW,
        interview=panel.interview,
        session=panel.sessions["Technical"],
    )
    outbox.perform(later.pk)
    assert json.loads(responses.calls[-1].request.body)["status"] == "COMPLETE"


@responses.activate
def test_a_status_change_is_not_needed_where_the_ats_holds_only_a_note(panel):
    session = panel.sessions["Values"]
    session.ats_record = "activity"
    session.save()
    op = Operation.objects.get(session=session, payload__status="AWAITING_FEEDBACK")
    assert outbox.perform(op.pk).status == "skipped"
    assert len(responses.calls) == 0


@responses.activate
def test_a_status_update_retried_after_the_last_feedback_leaves_the_ats_interview_complete(
    panel,
):
    sent = []

    def answer(request):
        # The first PUT is throttled for longer than the client waits in-process, so the
        # outbox schedules AWAITING_FEEDBACK again for later.
        status = json.loads(request.body)["status"]
        sent.append(status)
        if len(sent) == 1:
            return 429, {"Retry-After": "600"}, json.dumps({"message": "slow down"})
        return 200, {}, json.dumps(interview_json(status=status))

    responses.add_callback("PUT", f"{BASE}/ats/{ATS_ID}/interview/int1", callback=answer)
    responses.post(f"{BASE}/ats/{ATS_ID}/scorecard", json={"id": "sc1"})
    waiting = Operation.objects.get(
        session=panel.sessions["Technical"], payload__status="AWAITING_FEEDBACK"
    )
    assert outbox.perform(waiting.pk).status == "pending"

    # Meanwhile both interviewers submit and COMPLETE goes out first.
    asked = requests_of(panel)
    for name in ("Ivy", "Tom"):
        feedback.submit(asked[name], values())
        outbox.perform(scorecard_op(asked[name]).pk)
    complete = Operation.objects.get(
        session=panel.sessions["Technical"], payload__status="COMPLETE"
    )
    assert outbox.perform(complete.pk).status == "done"

    # The throttled update was superseded by the later one of the same ATS interview: its
    # retry never comes round to undo COMPLETE.
    waiting.refresh_from_db()
    assert waiting.status == "skipped" and waiting.result["by"]
    Operation.objects.filter(pk=waiting.pk).update(next_attempt_at=None)
    assert outbox.perform(waiting.pk) is None
    assert sent[-1] == "COMPLETE"

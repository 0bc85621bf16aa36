"""ATS endpoints: interviews, scorecards, activities, applications, stages, employees, and
what the Greenhouse-like and Lever-like vendors differ on."""

import datetime as dt

import pytest
import requests

from scheduling.unified.records import Application, Interview, Scorecard
from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox

ACME_ATS = seed.ACME_ATS_CONNECTION_ID
GLOBEX_ATS = seed.GLOBEX_ATS_CONNECTION_ID


def iso(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def first(sandbox, path, **params):
    return sandbox.get(path, limit=1, **params).json()[0]


def interviewers(sandbox, connection=ACME_ATS):
    employees = sandbox.get(f"/hris/{connection}/employee").json()
    return [e["id"] for e in employees if e["employment_status"] == "ACTIVE"][:2]


def screening_application(sandbox, connection=ACME_ATS):
    """A new candidate's application in SCREENING for the connection's first open job:
    this test's own, whatever the day's seed holds."""
    _candidate, application = sandbox.create_application(connection, status="SCREENING")
    return application


def at(sandbox, days, hour=15):
    return dt.datetime.combine(sandbox.anchor + dt.timedelta(days=days), dt.time(hour), dt.UTC)


def an_interview(sandbox, connection=ACME_ATS):
    """A scheduled interview this test owns, on a new application: through Unified's API on
    Greenhouse, and as a recruiter in Lever's own page on Lever (its API cannot create one)."""
    application = screening_application(sandbox, connection)
    people = interviewers(sandbox, connection)
    if connection == GLOBEX_ATS:
        return sandbox.schedule_interview(connection, application, at(sandbox, 4), 45, people)
    return sandbox.create_interview(connection, application, at(sandbox, 4), 45, people)


def test_greenhouse_interview_create_read_update_delete(sandbox):
    app = screening_application(sandbox)
    start = at(sandbox, 3)
    body = {
        "application_id": app["id"],
        "end_at": iso(start + dt.timedelta(hours=1)),
        "location": "Zoom",
        "start_at": iso(start),
        "status": "SCHEDULED",
        "user_ids": interviewers(sandbox),
    }
    response = sandbox.call("POST", f"/ats/{ACME_ATS}/interview", json=body)
    assert response.status_code == 200, response.text
    created = Interview.from_api(response.json())
    assert created.candidate_id == app["candidate_id"]  # filled in from the application
    assert created.job_id == app["job_id"]
    assert created.start_at == start
    path = f"/ats/{ACME_ATS}/interview/{created.id}"
    assert sandbox.get(path).json() == response.json()

    updated = sandbox.call("PUT", path, json={"external_event_xref": "evt-123"}).json()
    assert updated["external_event_xref"] == "evt-123"
    assert updated["start_at"] == body["start_at"]
    canceled = sandbox.call("PATCH", path, json={"status": "CANCELED"}).json()
    assert canceled["status"] == "CANCELED"
    listed = sandbox.get(f"/ats/{ACME_ATS}/interview", application_id=app["id"]).json()
    assert created.id in [i["id"] for i in listed]
    assert sandbox.call("DELETE", path).status_code == 200
    assert sandbox.get(path).status_code == 404


def test_interview_writes_are_checked(sandbox):
    app = screening_application(sandbox)
    start = at(sandbox, 3)
    times = {"start_at": iso(start), "end_at": iso(start + dt.timedelta(hours=1))}
    people = interviewers(sandbox)
    cases = [
        {**times, "user_ids": people},  # no application
        {"application_id": "nope", **times, "user_ids": people},
        {"application_id": app["id"], **times, "user_ids": ["no-such-employee"]},
        {"application_id": app["id"], "status": "SCHEDULED", "user_ids": people},
        {"application_id": app["id"], **times, "user_ids": people, "status": "LATER"},
        {"application_id": app["id"], **times, "user_ids": people, "candidate_id": "other"},
        {
            "application_id": app["id"],
            "start_at": times["end_at"],
            "end_at": times["start_at"],
            "user_ids": people,
        },
    ]
    for body in cases:
        response = sandbox.call("POST", f"/ats/{ACME_ATS}/interview", json=body)
        assert response.status_code == 400, body
    unscheduled = sandbox.call(
        "POST", f"/ats/{ACME_ATS}/interview", json={"application_id": app["id"]}
    )
    assert unscheduled.json()["status"] == "NEEDS_SCHEDULING"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_lever_cannot_write_interviews(sandbox, method):
    interview = an_interview(sandbox, GLOBEX_ATS)
    path = f"/ats/{GLOBEX_ATS}/interview"
    if method != "POST":
        path += f"/{interview['id']}"
    response = sandbox.call(method, path, json={"status": "CANCELED"})
    assert response.status_code == 501
    operation = {"POST": "create", "PUT": "update", "PATCH": "patch"}[method]
    assert response.json()["message"] == f"{operation}AtsInterview is not supported by lever"


def test_lever_can_read_and_delete_interviews(sandbox):
    interview = an_interview(sandbox, GLOBEX_ATS)
    path = f"/ats/{GLOBEX_ATS}/interview/{interview['id']}"
    assert sandbox.get(path).status_code == 200
    assert sandbox.call("DELETE", path).status_code == 200
    assert sandbox.get(path).status_code == 404


def test_scorecards_greenhouse_creates_lever_refuses(sandbox):
    interview = an_interview(sandbox)
    body = {
        "interview_id": interview["id"],
        "interviewer_id": interview["user_ids"][0],
        "recommendation": "YES",
        "comment": "Clear thinker.",
        "questions": [{"text": "Technical ability", "answer": "Strong"}],
    }
    response = sandbox.call("POST", f"/ats/{ACME_ATS}/scorecard", json=body)
    assert response.status_code == 200, response.text
    scorecard = Scorecard.from_api(response.json())
    assert scorecard.application_id == interview["application_id"]
    assert scorecard.questions[0].text == "Technical ability"
    listed = sandbox.get(f"/ats/{ACME_ATS}/scorecard", interview_id=interview["id"]).json()
    assert scorecard.id in [s["id"] for s in listed]
    bad = sandbox.call(
        "POST", f"/ats/{ACME_ATS}/scorecard", json={**body, "recommendation": "MEH"}
    )
    assert bad.status_code == 400

    lever = an_interview(sandbox, GLOBEX_ATS)
    refused = sandbox.call(
        "POST",
        f"/ats/{GLOBEX_ATS}/scorecard",
        json={**body, "interview_id": lever["id"], "interviewer_id": lever["user_ids"][0]},
    )
    assert refused.status_code == 501
    assert refused.json()["message"] == "createAtsScorecard is not supported by lever"


def test_lever_creates_activities(sandbox):
    app = screening_application(sandbox, GLOBEX_ATS)
    body = {"application_id": app["id"], "title": "Convene", "description": "Interview booked"}
    response = sandbox.call("POST", f"/ats/{GLOBEX_ATS}/activity", json=body)
    assert response.status_code == 200, response.text
    activity = response.json()
    assert activity["type"] == "NOTE"
    assert activity["candidate_id"] == app["candidate_id"]
    listed = sandbox.get(f"/ats/{GLOBEX_ATS}/activity", candidate_id=app["candidate_id"]).json()
    assert activity["id"] in [a["id"] for a in listed]


def test_connection_permissions_reflect_capabilities(sandbox):
    greenhouse = sandbox.get(f"/unified/connection/{ACME_ATS}").json()
    lever = sandbox.get(f"/unified/connection/{GLOBEX_ATS}").json()
    assert "ats_interview_write" in greenhouse["permissions"]
    assert "ats_scorecard_write" in greenhouse["permissions"]
    assert "ats_scorecard_write" not in lever["permissions"]
    assert "hris_employee_read" in lever["permissions"]


def test_moving_an_application_by_status_or_by_stage_name(sandbox):
    app = screening_application(sandbox)
    path = f"/ats/{ACME_ATS}/application/{app['id']}"
    moved = Application.from_api(
        sandbox.call("PATCH", path, json={"status": "FIRST_INTERVIEW"}).json()
    )
    assert moved.status == "FIRST_INTERVIEW"
    assert moved.original_status == "Technical Phone Interview"  # this job's stage name
    by_name = sandbox.call("PUT", path, json={"original_status": "face to face"}).json()
    assert (by_name["status"], by_name["original_status"]) == ("SECOND_INTERVIEW", "Face to Face")
    rejected = sandbox.call("PATCH", path, json={"status": "REJECTED"}).json()
    assert rejected["rejected_at"]
    assert sandbox.call("PATCH", path, json={"status": "LIMBO"}).status_code == 400
    assert sandbox.call("PATCH", path, json={"original_status": "Limbo"}).status_code == 400


def test_a_whole_application_sent_back_moves_by_the_field_that_changed(sandbox):
    app = screening_application(sandbox)
    path = f"/ats/{ACME_ATS}/application/{app['id']}"
    moved = sandbox.call("PUT", path, json={**app, "status": "THIRD_INTERVIEW"}).json()
    assert (moved["status"], moved["original_status"]) == (
        "THIRD_INTERVIEW",
        "Executive Interview",
    )
    back = sandbox.call("PUT", path, json={**moved, "original_status": "Offer"}).json()
    assert back["status"] == "OFFERED"
    clash = sandbox.call(
        "PUT", path, json={**back, "status": "HIRED", "original_status": "Rejected"}
    )
    assert clash.status_code == 400


def test_application_and_interview_filters(sandbox):
    _, app = sandbox.create_application(ACME_ATS, status="SECOND_INTERVIEW")
    people = interviewers(sandbox)
    mine = [
        sandbox.create_interview(ACME_ATS, app, at(sandbox, days), 60, people)["id"]
        for days in (2, 5)
    ]
    apps = sandbox.get(f"/ats/{ACME_ATS}/application", status="SECOND_INTERVIEW").json()
    assert app["id"] in [a["id"] for a in apps]
    assert all(a["status"] == "SECOND_INTERVIEW" for a in apps)
    by_job = sandbox.get(f"/ats/{ACME_ATS}/application", job_id=app["job_id"]).json()
    assert app["id"] in [a["id"] for a in by_job]
    assert all(a["job_id"] == app["job_id"] for a in by_job)
    interviews = sandbox.get(f"/ats/{ACME_ATS}/interview", candidate_id=app["candidate_id"]).json()
    assert [i["id"] for i in interviews] == mine  # a new candidate: only these two
    assert all(i["candidate_id"] == app["candidate_id"] for i in interviews)
    by_job = sandbox.get(f"/ats/{ACME_ATS}/interview", job_id=app["job_id"]).json()
    assert set(mine) <= {i["id"] for i in by_job}
    assert all(i["job_id"] == app["job_id"] for i in by_job)


def test_stages_per_job_for_greenhouse_and_global_for_lever(sandbox):
    job = first(sandbox, f"/ats/{ACME_ATS}/job")
    stages = sandbox.get(f"/ats/{ACME_ATS}/applicationstatus", job_id=job["id"]).json()
    assert len(stages) == 14
    assert {s["job_id"] for s in stages} == {job["id"]}
    assert {s["status"] for s in stages} == set(seed.STATUS_WEIGHTS)
    lever_job = first(sandbox, f"/ats/{GLOBEX_ATS}/job")
    lever = sandbox.get(f"/ats/{GLOBEX_ATS}/applicationstatus", job_id=lever_job["id"]).json()
    assert len(lever) == 14
    assert all("job_id" not in s for s in lever)
    assert {s["original_status"] for s in lever} >= {"Phone screen", "On-site interview"}


def all_pages(sandbox, path, **params):
    out, offset = [], 0
    while True:
        page = sandbox.get(path, limit=100, offset=offset, **params).json()
        out += page
        if len(page) < 100:
            return out
        offset += 100


def test_employees_are_the_people_behind_user_ids(sandbox):
    # About the seed: every seeded job's and interview's people are its employees.
    employees = {e["id"]: e for e in sandbox.get(f"/hris/{ACME_ATS}/employee").json()}
    for job in sandbox.get(f"/ats/{ACME_ATS}/job").json():
        for employee_id in job["recruiter_ids"] + job["hiring_manager_ids"]:
            assert employee_id in employees
    interviews = all_pages(sandbox, f"/ats/{ACME_ATS}/interview")
    assert interviews
    for interview in interviews:
        assert interview["user_ids"] and all(u in employees for u in interview["user_ids"])
    one = next(iter(employees))
    assert sandbox.get(f"/hris/{ACME_ATS}/employee/{one}").json() == employees[one]


def test_an_application_created_by_hand_joins_the_candidates_jobs_and_its_stage(sandbox):
    candidate = sandbox.create_candidate(ACME_ATS, "Noor Haddad", "noor@example.org")
    job = first(sandbox, f"/ats/{ACME_ATS}/job", status="OPEN")
    body = {"candidate_id": candidate["id"], "job_id": job["id"]}
    fresh = sandbox.call("POST", f"/ats/{ACME_ATS}/application", json=body)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["status"] == "NEW" and fresh.json()["applied_at"]
    stages = sandbox.get(f"/ats/{ACME_ATS}/applicationstatus", job_id=job["id"]).json()
    names = {s["status"]: s["original_status"] for s in stages}
    assert fresh.json()["original_status"] == names["NEW"]
    _, moved = sandbox.create_application(
        ACME_ATS, status="SECOND_INTERVIEW", job_id=job["id"], candidate=candidate
    )
    assert moved["original_status"] == names["SECOND_INTERVIEW"]
    again = sandbox.get(f"/ats/{ACME_ATS}/candidate/{candidate['id']}").json()
    assert again["job_ids"] == [job["id"]]
    for wrong in ({"job_id": job["id"]}, {**body, "job_id": "nope"}, {**body, "status": "LIMBO"}):
        refused = sandbox.call("POST", f"/ats/{ACME_ATS}/application", json=wrong)
        assert refused.status_code == 400, wrong


def test_an_interview_scheduled_in_the_vendors_own_page_is_checked_and_announced(
    sandbox, receiver
):
    # Lever's API cannot create interviews, yet recruiters schedule them in Lever itself.
    _, app = sandbox.create_application(GLOBEX_ATS, status="FIRST_INTERVIEW")
    hook = {"connection_id": GLOBEX_ATS, "object_type": "ats_interview", "event": "created"}
    assert sandbox.call("POST", "/unified/webhook", json={**hook, "hook_url": receiver.url}).ok
    people = interviewers(sandbox, GLOBEX_ATS)
    interview = sandbox.schedule_interview(
        GLOBEX_ATS, app, at(sandbox, 2), 45, people, location="Room 3.01"
    )
    assert interview["status"] == "SCHEDULED" and interview["location"] == "Room 3.01"
    assert (interview["candidate_id"], interview["job_id"]) == (app["candidate_id"], app["job_id"])
    assert interview["start_at"] < interview["end_at"]
    assert sandbox.get(f"/ats/{GLOBEX_ATS}/interview/{interview['id']}").json() == interview
    [body] = receiver.wait_for(1)
    assert [i["id"] for i in body["data"]] == [interview["id"]]
    for wrong in ({"user_ids": ["no-such-employee"]}, {"minutes": -30}):
        args = {"start_at": at(sandbox, 2), "minutes": 45, "user_ids": people, **wrong}
        with pytest.raises(requests.HTTPError, match="400"):
            sandbox.schedule_interview(GLOBEX_ATS, app, **args)


def test_an_interview_moved_in_the_ats_s_own_page_keeps_its_length_and_is_announced(
    sandbox, receiver
):
    interview = an_interview(sandbox)
    hook = {"connection_id": ACME_ATS, "object_type": "ats_interview", "event": "updated"}
    assert sandbox.call("POST", "/unified/webhook", json={**hook, "hook_url": receiver.url}).ok
    page = sandbox.call("GET", f"/sandbox/ats/{ACME_ATS}").text
    action = f"/sandbox/interviews/{ACME_ATS}/{interview['id']}/move"
    assert f'action="{action}"' in page  # the Move form a person uses
    new_start = at(sandbox, 6, hour=13)
    moved = requests.post(  # as the page's form sends it
        sandbox.base_url + action,
        data={"date": f"{new_start:%Y-%m-%d}", "time": "13:00", "next": "/"},
        allow_redirects=False,
        timeout=10,
    )
    assert moved.status_code == 303 and "Moved+interview" in moved.headers["Location"]
    record = sandbox.get(f"/ats/{ACME_ATS}/interview/{interview['id']}").json()
    assert record["start_at"] == iso(new_start)
    assert record["end_at"] == iso(new_start + dt.timedelta(minutes=45))
    [body] = receiver.wait_for(1)
    assert [i["id"] for i in body["data"]] == [interview["id"]]
    missing = sandbox.call("POST", f"/sandbox/interviews/{ACME_ATS}/nope/move", json={})
    assert missing.status_code == 404


def test_clearing_a_stretch_deletes_only_its_interviews_naming_those_people(sandbox, receiver):
    # Three interviews of this test's: two people at day 4 15:00, the same two at day 7, and
    # someone else at day 4. Clearing day 4 for the first person removes only the first.
    employees = [
        e
        for e in sandbox.get(f"/hris/{ACME_ATS}/employee", limit=100).json()
        if e["employment_status"] == "ACTIVE"
    ]
    pair, other = [e["id"] for e in employees[:2]], employees[2]["id"]
    application = screening_application(sandbox)
    inside = sandbox.create_interview(ACME_ATS, application, at(sandbox, 4), 45, pair)
    later = sandbox.create_interview(ACME_ATS, application, at(sandbox, 7), 45, pair)
    elsewhere = sandbox.create_interview(ACME_ATS, application, at(sandbox, 4), 45, [other])
    hook = {"connection_id": ACME_ATS, "object_type": "ats_interview", "event": "deleted"}
    assert sandbox.call("POST", "/unified/webhook", json={**hook, "hook_url": receiver.url}).ok
    email = employees[0]["emails"][0]["email"].upper()  # any case
    removed = sandbox.clear_interviews(
        ACME_ATS, [email], at(sandbox, 4, hour=0), at(sandbox, 5, hour=0)
    )
    assert inside["id"] in removed and later["id"] not in removed
    assert elsewhere["id"] not in removed
    gone = sandbox.call("GET", f"/ats/{ACME_ATS}/interview/{inside['id']}")
    assert gone.status_code == 404
    for kept in (later, elsewhere):
        assert sandbox.get(f"/ats/{ACME_ATS}/interview/{kept['id']}").json()["id"] == kept["id"]
    # The day's seed may hold more of that person's interviews there: each is announced.
    bodies = receiver.wait_for(len(removed))
    assert sorted(i["id"] for body in bodies for i in body["data"]) == sorted(removed)
    wrong = sandbox.call(
        "POST", f"/sandbox/interviews/{ACME_ATS}/clear", json={"emails": [], "start_at": "x"}
    )
    assert wrong.status_code == 400

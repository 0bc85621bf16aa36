"""The sandbox speaks Unified's wire format: auth, bare-array lists, pagination quirks,
updated_gte, sort/order, fields, errors."""

import concurrent.futures
import datetime as dt
import time

import pytest
import requests

from scheduling.unified.sandbox import seed
from scheduling.unified.sandbox.testing import running_sandbox

pytestmark = pytest.mark.sandbox

ACME_ATS = seed.ACME_ATS_CONNECTION_ID
ACME_CAL = seed.ACME_CALENDAR_CONNECTION_ID
GLOBEX_ATS = seed.GLOBEX_ATS_CONNECTION_ID
GLOBEX_CAL = seed.GLOBEX_CALENDAR_CONNECTION_ID

LIST_PATHS = [
    f"/ats/{ACME_ATS}/candidate",
    f"/ats/{ACME_ATS}/application",
    f"/ats/{ACME_ATS}/applicationstatus",
    f"/ats/{ACME_ATS}/job",
    f"/ats/{ACME_ATS}/interview",
    f"/ats/{ACME_ATS}/scorecard",
    f"/ats/{ACME_ATS}/activity",
    f"/hris/{ACME_ATS}/employee",
    f"/ats/{GLOBEX_ATS}/interview",
    f"/hris/{GLOBEX_ATS}/employee",
    f"/calendar/{ACME_CAL}/calendar",
    f"/calendar/{ACME_CAL}/event",
    f"/calendar/{GLOBEX_CAL}/calendar",
    f"/calendar/{GLOBEX_CAL}/event",
    "/unified/connection",
    "/unified/webhook",
]


def get(sandbox, path, token=None, **params):
    headers = {"Authorization": token} if token is not None else sandbox.auth_headers
    return requests.get(sandbox.base_url + path, params=params, headers=headers, timeout=10)


@pytest.mark.parametrize("scheme", ["bearer ", "Bearer ", ""])
def test_token_is_accepted_with_either_bearer_spelling_or_bare(sandbox, scheme):
    response = get(sandbox, f"/ats/{ACME_ATS}/job", token=scheme + sandbox.token)
    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "bearer wrong-token", "Basic abc", "bearer "])
def test_wrong_or_missing_token_is_401_with_a_json_message(sandbox, header):
    headers = {"Authorization": header} if header is not None else {}
    response = requests.get(f"{sandbox.base_url}/ats/{ACME_ATS}/job", headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["message"], str)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_is_a_bare_json_array(sandbox, path):
    response = get(sandbox, path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list)
    assert all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in body)


def test_unknown_connection_is_404_with_message(sandbox):
    response = get(sandbox, "/ats/0123456789abcdef01234567/candidate")
    assert response.status_code == 404
    assert response.json()["message"] == "connection 0123456789abcdef01234567 not found"


def test_calendar_path_on_an_ats_connection_is_400(sandbox):
    response = get(sandbox, f"/calendar/{ACME_ATS}/event")
    assert response.status_code == 400
    assert "greenhouse" in response.json()["message"]


def test_unknown_record_and_unknown_route_are_404(sandbox):
    assert get(sandbox, f"/ats/{ACME_ATS}/candidate/nope").status_code == 404
    assert get(sandbox, f"/ats/{ACME_ATS}/widgets").status_code == 404


def test_limit_offset_page_through_without_overlap_and_accept_floats(sandbox):
    seen = []
    offset = 0
    while True:
        page = get(sandbox, f"/ats/{ACME_ATS}/candidate", limit="50.0", offset=f"{offset}.0")
        assert page.status_code == 200
        items = page.json()
        seen += [c["id"] for c in items]
        if len(items) < 50:
            break
        offset += 50
    assert len(seen) == len(set(seen)) == 82  # 80 + the two odd ones
    assert len(get(sandbox, f"/ats/{ACME_ATS}/candidate", limit=7).json()) == 7


def test_limit_is_capped_at_100_and_checked(sandbox):
    # 201 events of this test's, told apart from the seed's by their subject.
    start = dt.datetime.combine(sandbox.anchor + dt.timedelta(days=3), dt.time(12), dt.UTC)
    for n in range(201):
        start_at = start + dt.timedelta(minutes=20 * n)
        sandbox.create_event(ACME_CAL, "primary", start_at, 15, subject="Limit probe")
    events = f"/calendar/{ACME_CAL}/event"
    assert len(get(sandbox, events, limit=100, offset=100, query="limit probe").json()) == 100
    assert len(get(sandbox, events, limit=100, offset=200, query="limit probe").json()) == 1
    assert len(get(sandbox, events, limit=500, query="limit probe").json()) == 100
    assert len(get(sandbox, events, query="limit probe").json()) == 100
    bad = get(sandbox, f"/ats/{ACME_ATS}/interview", limit="lots")
    assert bad.status_code == 400
    assert "limit" in bad.json()["message"]


def test_unknown_query_parameters_are_ignored(sandbox):
    plain = get(sandbox, f"/ats/{ACME_ATS}/job").json()
    assert get(sandbox, f"/ats/{ACME_ATS}/job", frobnicate="1", raw="a%3Db").json() == plain


def test_fields_repeated_or_comma_joined_always_keep_id(sandbox):
    path = f"{sandbox.base_url}/ats/{ACME_ATS}/candidate?fields=name&fields=emails"
    repeated = requests.get(path, headers=sandbox.auth_headers, timeout=10).json()
    joined = get(sandbox, f"/ats/{ACME_ATS}/candidate", fields="name,emails").json()
    assert repeated == joined
    assert {k for c in joined for k in c} == {"id", "name", "emails"}


def test_sort_and_order(sandbox):
    names = [j["name"] for j in get(sandbox, f"/ats/{ACME_ATS}/job", sort="name").json()]
    assert names == sorted(names, key=str.lower)
    desc = get(sandbox, f"/ats/{ACME_ATS}/job", sort="name", order="desc").json()
    assert [j["name"] for j in desc] == names[::-1]
    updated = get(sandbox, f"/ats/{ACME_ATS}/candidate", sort="updated_at", order="desc").json()
    stamps = [c["updated_at"] for c in updated]
    assert stamps == sorted(stamps, reverse=True)
    assert get(sandbox, f"/ats/{ACME_ATS}/job", sort="colour").status_code == 400


def test_query_filters_by_name_or_email(sandbox):
    everyone = get(sandbox, f"/hris/{ACME_ATS}/employee").json()
    assert [
        e["name"] for e in get(sandbox, f"/hris/{ACME_ATS}/employee", query="okafor").json()
    ] == ["Daniel Okafor"]
    by_email = get(sandbox, f"/hris/{ACME_ATS}/employee", query="interviewer@acme").json()
    assert [e["emails"][0]["email"] for e in by_email] == ["interviewer@acme.example"]
    assert len(everyone) >= 12


class FakeClock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def test_updated_gte_returns_what_changed_at_or_after_with_an_injected_clock():
    clock = FakeClock(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC))
    with running_sandbox(anchor_date=dt.date(2026, 3, 2), clock=clock) as sandbox:
        path = f"/ats/{ACME_ATS}/application"
        assert get(sandbox, path, updated_gte="2026-03-02T11:00:00Z").json() == []
        app = get(sandbox, path, limit=1).json()[0]
        clock.now = dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC)
        response = sandbox.call(
            "PATCH", f"{path}/{app['id']}", json={"status": "SECOND_INTERVIEW"}
        )
        assert response.status_code == 200
        assert response.json()["updated_at"] == "2026-03-02T13:30:00Z"
        changed = get(sandbox, path, updated_gte="2026-03-02T13:30:00Z").json()
        assert [a["id"] for a in changed] == [app["id"]]
        assert get(sandbox, path, updated_gte="2026-03-02T13:30:01Z").json() == []
        # Offsets are understood; a nonsense date is refused.
        assert len(get(sandbox, path, updated_gte="2026-03-02T14:00:00+01:00").json()) == 1
        assert get(sandbox, path, updated_gte="yesterday").status_code == 400


def test_deleted_records_vanish_from_gets(sandbox):
    candidate, _application = sandbox.create_application(ACME_ATS, status="SCREENING")
    apps = get(sandbox, f"/ats/{ACME_ATS}/application", candidate_id=candidate["id"]).json()
    assert len(apps) == 1
    path = f"/ats/{ACME_ATS}/candidate/{candidate['id']}"
    response = sandbox.call("DELETE", path)
    assert response.status_code == 200
    assert response.content == b""
    assert get(sandbox, path).status_code == 404
    ids = [c["id"] for c in get(sandbox, f"/ats/{ACME_ATS}/candidate").json()]
    assert candidate["id"] not in ids
    # Its applications go with it, as in the vendor.
    apps = get(sandbox, f"/ats/{ACME_ATS}/application", candidate_id=candidate["id"]).json()
    assert apps == []


def test_create_answers_200_with_the_new_object(sandbox):
    response = sandbox.call(
        "POST",
        f"/ats/{ACME_ATS}/candidate",
        json={"first_name": "Ada", "last_name": "Lovelace", "emails": [{"email": "ada@x.test"}]},
    )
    assert response.status_code == 200
    created = response.json()
    assert created["name"] == "Ada Lovelace"
    assert created["created_at"] == created["updated_at"]
    assert get(sandbox, f"/ats/{ACME_ATS}/candidate/{created['id']}").json() == created


def test_bad_bodies_are_400_with_a_message(sandbox):
    path = f"/ats/{ACME_ATS}/candidate"
    assert sandbox.call("POST", path, json={"emails": [{"type": "WORK"}]}).status_code == 400
    not_json = requests.post(
        sandbox.base_url + path, data=b"{oops", headers=sandbox.auth_headers, timeout=10
    )
    assert not_json.status_code == 400
    assert not_json.json()["message"] == "the request body is not valid JSON"


def test_unsupported_method_on_a_resource_is_501_and_an_unknown_verb_405(sandbox):
    job = get(sandbox, f"/ats/{ACME_ATS}/job", limit=1).json()[0]
    response = sandbox.call("PUT", f"/ats/{ACME_ATS}/job/{job['id']}", json={"name": "x"})
    assert response.status_code == 501
    assert response.json()["message"] == "updateAtsJob is not supported by greenhouse"
    assert sandbox.call("OPTIONS", f"/ats/{ACME_ATS}/job").status_code == 405


def test_twenty_concurrent_busy_lookups_are_served_side_by_side(sandbox):
    sandbox.set_faults(latency_ms=300)
    calendars = get(sandbox, f"/calendar/{ACME_CAL}/calendar").json()
    anchor = sandbox.anchor
    params = {
        "start_gte": f"{anchor}T00:00:00Z",
        "end_lt": f"{anchor + dt.timedelta(7)}T00:00:00Z",
    }

    def busy(n):
        calendar = calendars[n % len(calendars)]
        return get(sandbox, f"/calendar/{ACME_CAL}/busy", calendar_id=calendar["id"], **params)

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(busy, range(20)))
    elapsed = time.monotonic() - started
    assert all(r.status_code == 200 for r in responses)
    assert elapsed < 20 * 0.3 / 3  # one after another would take 6 s


def test_stats_count_unified_calls_but_not_control_paths(sandbox):
    sandbox.reset_stats()
    get(sandbox, f"/ats/{ACME_ATS}/job")
    get(sandbox, f"/ats/{ACME_ATS}/job")
    get(sandbox, f"/calendar/{ACME_CAL}/calendar")
    requests.get(sandbox.base_url + "/sandbox/info", timeout=10)
    stats = sandbox.stats()
    assert stats["total"] == 3
    assert stats["routes"]["GET /ats/{connection_id}/job"] == 2
    assert stats["paths"][f"GET /calendar/{ACME_CAL}/calendar"] == 1

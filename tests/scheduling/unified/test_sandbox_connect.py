"""Unified Connect: integrations list, authorization URL, consent page, redirects."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from scheduling.unified.records import Connection, Integration
from scheduling.unified.sandbox import seed

pytestmark = pytest.mark.sandbox


def auth_url(sandbox, integration, **params):
    return f"{sandbox.base_url}/unified/integration/auth/{sandbox.workspace_id}/{integration}", {
        "success_redirect": "https://convene.test/connect/done?tenant=acme",
        "failure_redirect": "https://convene.test/connect/failed",
        "state": "signed-state-123",
        "external_xref": "tenant-42",
        **params,
    }


def consent_url(sandbox, integration, **params):
    url, query = auth_url(sandbox, integration, **params)
    response = requests.get(url, params=query, timeout=10)  # no auth header: a browser
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return response.text


def decide(sandbox, consent, **form):
    page = requests.get(consent, timeout=10)
    assert page.status_code == 200
    query = {k: v[-1] for k, v in parse_qs(urlsplit(consent).query).items()}
    return requests.post(consent, data={**query, **form}, allow_redirects=False, timeout=10)


def test_workspace_integrations_are_listed_without_auth(sandbox):
    response = requests.get(
        f"{sandbox.base_url}/unified/integration/workspace/{sandbox.workspace_id}",
        params={"summary": "1", "categories": "ats,calendar"},
        timeout=10,
    )
    assert response.status_code == 200
    integrations = [Integration.from_api(i) for i in response.json()]
    assert {i.type for i in integrations} == {
        "greenhouse",
        "lever",
        "googlecalendar",
        "microsoftoutlook",
    }
    assert all(i.name and i.categories and i.logo_url for i in integrations)
    logo = requests.get(integrations[0].logo_url, timeout=10)
    assert logo.headers["Content-Type"] == "image/svg+xml"
    calendars = requests.get(
        f"{sandbox.base_url}/unified/integration/workspace/{sandbox.workspace_id}",
        params={"categories": "calendar"},
        timeout=10,
    ).json()
    assert {i["type"] for i in calendars} == {"googlecalendar", "microsoftoutlook"}


def test_redirect_1_sends_the_browser_to_the_consent_page(sandbox):
    url, query = auth_url(sandbox, "greenhouse", redirect="1")
    response = requests.get(url, params=query, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{sandbox.base_url}/sandbox/connect/")
    page = requests.get(location, timeout=10)
    assert "Greenhouse" in page.text
    assert "interviews and scorecards" in page.text


def test_allow_creates_a_new_connection_and_redirects_with_id_and_state(sandbox):
    response = decide(sandbox, consent_url(sandbox, "greenhouse"), decision="allow")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "convene.test",
        "/connect/done",
    )
    query = parse_qs(location.query)
    assert query["tenant"] == ["acme"]  # the redirect's own parameters survive
    assert query["state"] == ["signed-state-123"]
    [connection_id] = query["id"]
    assert len(connection_id) == 24 and int(connection_id, 16) >= 0
    connection = Connection.from_api(sandbox.get(f"/unified/connection/{connection_id}").json())
    assert connection.integration_type == "greenhouse"
    assert connection.categories == ("ats",)
    assert connection.external_xref == "tenant-42"
    assert connection.environment == "Production"
    assert "ats_interview_write" in connection.permissions
    # A copy of the Acme world: same jobs as the seeded connection.
    jobs = sandbox.get(f"/ats/{connection_id}/job").json()
    seeded = sandbox.get(f"/ats/{seed.ACME_ATS_CONNECTION_ID}/job").json()
    assert [j["name"] for j in jobs] == [j["name"] for j in seeded]
    found = sandbox.get("/unified/connection", external_xref="tenant-42").json()
    assert [c["id"] for c in found] == [connection_id]


def test_connecting_twice_gives_two_independent_connections(sandbox):
    ids = []
    for _ in range(2):
        response = decide(sandbox, consent_url(sandbox, "lever"), decision="allow")
        ids.append(parse_qs(urlsplit(response.headers["Location"]).query)["id"][0])
    assert ids[0] != ids[1]
    candidate = sandbox.get(f"/ats/{ids[0]}/candidate", limit=1).json()[0]
    assert sandbox.call("DELETE", f"/ats/{ids[0]}/candidate/{candidate['id']}").status_code == 200
    assert sandbox.get(f"/ats/{ids[1]}/candidate/{candidate['id']}").status_code == 200


def test_personal_calendar_connection_holds_only_that_persons_calendar(sandbox):
    consent = consent_url(sandbox, "googlecalendar")
    page = requests.get(consent, timeout=10).text
    assert "whole company" in page.lower()
    response = decide(
        sandbox, consent, decision="allow", scope="personal", email="interviewer@acme.example"
    )
    connection_id = parse_qs(urlsplit(response.headers["Location"]).query)["id"][0]
    calendars = sandbox.get(f"/calendar/{connection_id}/calendar").json()
    assert [c["id"] for c in calendars] == ["interviewer@acme.example"]
    events = sandbox.get(f"/calendar/{connection_id}/event", expand="true").json()
    assert events and {e["calendar_id"] for e in events} == {"interviewer@acme.example"}
    company = decide(sandbox, consent_url(sandbox, "googlecalendar"), decision="allow")
    company_id = parse_qs(urlsplit(company.headers["Location"]).query)["id"][0]
    assert len(sandbox.get(f"/calendar/{company_id}/calendar").json()) >= 12


def test_cancel_redirects_to_failure_with_access_denied(sandbox):
    before = len(sandbox.get("/unified/connection").json())
    response = decide(sandbox, consent_url(sandbox, "microsoftoutlook"), decision="cancel")
    assert response.status_code == 302
    assert (
        response.headers["Location"] == "https://convene.test/connect/failed?error=access_denied"
    )
    assert len(sandbox.get("/unified/connection").json()) == before


def test_requested_scopes_limit_the_permissions(sandbox):
    consent = consent_url(
        sandbox, "googlecalendar", scopes="calendar_busy_read,calendar_event_read,made_up"
    )
    response = decide(sandbox, consent, decision="allow")
    connection_id = parse_qs(urlsplit(response.headers["Location"]).query)["id"][0]
    connection = sandbox.get(f"/unified/connection/{connection_id}").json()
    assert connection["permissions"] == ["calendar_event_read", "calendar_busy_read"]
    # Writing events was not granted.
    write = sandbox.call(
        "POST", f"/calendar/{connection_id}/event", json={"subject": "x", "start_at": "2030-01-01"}
    )
    assert write.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/unified/integration/auth/another-workspace/greenhouse",
        "/unified/integration/auth/{ws}/workday",
        "/sandbox/connect/{ws}/workday",
    ],
)
def test_unknown_workspace_or_integration_is_a_plain_404_page(sandbox, path):
    response = requests.get(
        sandbox.base_url + path.format(ws=sandbox.workspace_id), allow_redirects=False, timeout=10
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")


def test_deleting_a_connection_removes_it_and_its_webhooks(sandbox, receiver):
    response = decide(sandbox, consent_url(sandbox, "greenhouse"), decision="allow")
    connection_id = parse_qs(urlsplit(response.headers["Location"]).query)["id"][0]
    hook = sandbox.call(
        "POST",
        "/unified/webhook",
        json={
            "connection_id": connection_id,
            "object_type": "ats_interview",
            "event": "updated",
            "hook_url": receiver.url,
        },
    ).json()
    assert sandbox.call("DELETE", f"/unified/connection/{connection_id}").status_code == 200
    assert sandbox.get(f"/unified/connection/{connection_id}").status_code == 404
    assert sandbox.get(f"/unified/webhook/{hook['id']}").status_code == 404
    assert sandbox.get(f"/ats/{connection_id}/job").status_code == 404

"""Fault injection: rates of 429/500, Retry-After, latency, timeouts, lost responses."""

import time
from collections import Counter

import pytest
import requests

from scheduling.unified.sandbox import seed
from scheduling.unified.sandbox.testing import running_sandbox

pytestmark = pytest.mark.sandbox

ACME_ATS = seed.ACME_ATS_CONNECTION_ID


def test_rates_fail_a_fraction_of_requests_with_the_right_status(sandbox):
    sandbox.set_faults(rate_429=0.3, rate_500=0.3, retry_after=0)
    responses = [sandbox.get(f"/ats/{ACME_ATS}/job") for _ in range(200)]
    counts = Counter(r.status_code for r in responses)
    assert set(counts) == {200, 429, 500}
    assert 40 <= counts[429] <= 80
    assert 40 <= counts[500] <= 80
    for response in responses:
        assert response.headers["Content-Type"].startswith("application/json")
        if response.status_code == 429:
            assert response.headers["Retry-After"] == "0"
        else:
            assert "Retry-After" not in response.headers
        if response.status_code != 200:
            assert response.json()["message"]


def test_the_same_fault_seed_gives_the_same_failures():
    outcomes = []
    for _ in range(2):
        with running_sandbox(faults={"rate_500": 0.5}, fault_seed=7, seed_size=5) as sandbox:
            outcomes.append([sandbox.get(f"/ats/{ACME_ATS}/job").status_code for _ in range(30)])
    assert outcomes[0] == outcomes[1]
    assert 500 in outcomes[0] and 200 in outcomes[0]


def test_a_header_sets_faults_for_one_request(sandbox):
    headers = {"X-Sandbox-Faults": "rate_429=1; retry_after=3"}
    limited = sandbox.call("GET", f"/ats/{ACME_ATS}/job", headers=headers)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert sandbox.get(f"/ats/{ACME_ATS}/job").status_code == 200
    bad = sandbox.call("GET", f"/ats/{ACME_ATS}/job", headers={"X-Sandbox-Faults": "rate_500=x"})
    assert bad.status_code == 400


def test_latency_adds_delay(sandbox):
    started = time.monotonic()
    sandbox.get(f"/ats/{ACME_ATS}/job")
    plain = time.monotonic() - started
    sandbox.set_faults(latency_ms=250)
    started = time.monotonic()
    assert sandbox.get(f"/ats/{ACME_ATS}/job").status_code == 200
    assert time.monotonic() - started >= 0.25 > plain


def test_a_timeout_fault_outlasts_the_clients_timeout(sandbox):
    sandbox.set_faults(rate_timeout=1, timeout_seconds=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(
            f"{sandbox.base_url}/ats/{ACME_ATS}/job", headers=sandbox.auth_headers, timeout=0.2
        )
    response = sandbox.get(f"/ats/{ACME_ATS}/job")  # a patient client gets a 504
    assert response.status_code == 504


def test_fail_after_write_applies_the_write_then_answers_500(sandbox):
    _, app = sandbox.create_application(ACME_ATS, status="SCREENING")
    sandbox.set_faults(fail_after_write=1)
    response = sandbox.call(
        "PATCH", f"/ats/{ACME_ATS}/application/{app['id']}", json={"status": "FIRST_INTERVIEW"}
    )
    assert response.status_code == 500
    # Reads are unaffected, and the write happened: the response was lost, not the change.
    stored = sandbox.get(f"/ats/{ACME_ATS}/application/{app['id']}")
    assert stored.status_code == 200
    assert stored.json()["status"] == "FIRST_INTERVIEW"


def test_faults_spare_the_sandbox_page_and_controls(sandbox):
    sandbox.set_faults(rate_500=1)
    assert requests.get(f"{sandbox.base_url}/", timeout=10).status_code == 200
    assert requests.get(f"{sandbox.base_url}/sandbox/info", timeout=10).status_code == 200
    assert sandbox.faults()["rate_500"] == 1
    sandbox.clear_faults()
    assert sandbox.get(f"/ats/{ACME_ATS}/job").status_code == 200


def test_fault_knobs_are_checked(sandbox):
    response = requests.post(
        f"{sandbox.base_url}/sandbox/faults", json={"rate_429": 2}, timeout=10
    )
    assert response.status_code == 400

"""Unified Connect: the authorization URL, the signed state, and the redirect back."""

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

import pytest
import time_machine
from django.core import signing
from django.http import QueryDict

from scheduling.unified.connect import (
    BadState,
    ConnectCallback,
    authorization_url,
    read_callback,
    read_state,
    sign_state,
)

WORKSPACE = "5de520f96e439b002043d8aa"
CID = "5de520f96e439b002043d8dc"
PAYLOAD = {
    "tenant": "6f1c9a52-1d0e-4c84-9a5b-2d9f7e3b8c01",
    "user": 7,
    "category": "calendar",
    "interviewer": "0b8e2f4a-3c6d-4e1f-8a9b-5c7d2e0f1a3b",
}
NOW = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)


def test_authorization_url_has_the_documented_shape():
    url = authorization_url(
        "https://api.unified.to/",
        WORKSPACE,
        "greenhouse",
        success_redirect="https://convene.example.com/connect/done",
        failure_redirect="https://convene.example.com/connect/failed",
        state="st.ate:sig",
        external_xref="6f1c9a52-1d0e-4c84-9a5b-2d9f7e3b8c01",
        scopes=["ats_interview_read", "ats_interview_write"],
        env="Sandbox",
    )

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "api.unified.to")
    assert parts.path == f"/unified/integration/auth/{WORKSPACE}/greenhouse"
    assert parse_qsl(parts.query) == [
        ("success_redirect", "https://convene.example.com/connect/done"),
        ("failure_redirect", "https://convene.example.com/connect/failed"),
        ("state", "st.ate:sig"),
        ("external_xref", "6f1c9a52-1d0e-4c84-9a5b-2d9f7e3b8c01"),
        ("scopes", "ats_interview_read,ats_interview_write"),
        ("env", "Sandbox"),
        ("redirect", "1"),
    ]
    assert "success_redirect=https%3A%2F%2Fconvene.example.com%2Fconnect%2Fdone" in url


def test_authorization_url_leaves_out_what_is_not_given():
    url = authorization_url(
        "http://127.0.0.1:8765",
        WORKSPACE,
        "google calendar",
        success_redirect="http://127.0.0.1:8000/ok",
        failure_redirect="http://127.0.0.1:8000/no",
        state="s",
        redirect=False,
    )
    parts = urlsplit(url)
    assert parts.path == f"/unified/integration/auth/{WORKSPACE}/google%20calendar"
    assert [k for k, _ in parse_qsl(parts.query)] == [
        "success_redirect",
        "failure_redirect",
        "state",
    ]


def test_a_single_scope_string_is_not_split_into_letters():
    url = authorization_url(
        "https://api.unified.to",
        WORKSPACE,
        "lever",
        success_redirect="https://x.example/ok",
        failure_redirect="https://x.example/no",
        state="s",
        scopes="webhook",
    )
    assert dict(parse_qsl(urlsplit(url).query))["scopes"] == "webhook"


def test_state_round_trips_and_carries_a_nonce():
    payload = read_state(sign_state(PAYLOAD))
    assert {k: payload[k] for k in PAYLOAD} == PAYLOAD
    assert len(payload["nonce"]) >= 16


def test_each_state_is_different_even_for_the_same_payload():
    first, second = sign_state(PAYLOAD), sign_state(PAYLOAD)
    assert first != second
    assert read_state(first)["nonce"] != read_state(second)["nonce"]


def test_a_given_nonce_is_kept():
    assert read_state(sign_state({**PAYLOAD, "nonce": "n-123"}))["nonce"] == "n-123"


def test_state_is_not_compressed():
    assert not sign_state(PAYLOAD).startswith(".")  # django marks compressed payloads with "."


def tamper(state):
    body, _, rest = state.partition(":")
    return body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + ":" + rest


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (lambda: tamper(sign_state(PAYLOAD)), "tampered"),
        (lambda: sign_state(PAYLOAD, salt="another.purpose"), "tampered"),
        (lambda: signing.dumps(PAYLOAD, salt="convene.connect", key="not-our-key"), "tampered"),
        (lambda: "garbage", "tampered"),
        (lambda: "", "missing"),
        (lambda: None, "missing"),
        (lambda: signing.dumps(["a", "list"], salt="convene.connect"), "malformed"),
        (lambda: signing.dumps({"tenant": "x"}, salt="convene.connect"), "malformed"),
    ],
    ids=[
        "tampered",
        "other-salt",
        "other-key",
        "garbage",
        "empty",
        "none",
        "not-a-dict",
        "no-nonce",
    ],
)
def test_untrustworthy_states_are_refused(state, reason):
    with pytest.raises(BadState) as caught:
        read_state(state())
    assert caught.value.reason == reason


def test_state_expires_after_max_age():
    with time_machine.travel(NOW, tick=False):
        state = sign_state(PAYLOAD)
    with time_machine.travel(NOW + dt.timedelta(minutes=29), tick=False):
        assert read_state(state)["tenant"] == PAYLOAD["tenant"]
    later = time_machine.travel(NOW + dt.timedelta(minutes=31), tick=False)
    with later, pytest.raises(BadState) as caught:
        read_state(state)
    assert caught.value.reason == "expired"


def test_max_age_can_be_shortened():
    with time_machine.travel(NOW, tick=False):
        state = sign_state(PAYLOAD)
    later = time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False)
    with later, pytest.raises(BadState, match="expired"):
        read_state(state, max_age=60)


def test_read_callback_on_success():
    query = QueryDict(f"id={CID}&state=abc%3Adef")
    assert read_callback(query) == ConnectCallback(connection_id=CID, state="abc:def", error=None)


def test_read_callback_on_failure_or_cancel():
    callback = read_callback({"error": "access_denied"})
    assert callback == ConnectCallback(connection_id=None, state=None, error="access_denied")


def test_read_callback_treats_blank_values_as_absent():
    assert read_callback({"id": "  ", "state": ""}) == ConnectCallback(None, None, None)

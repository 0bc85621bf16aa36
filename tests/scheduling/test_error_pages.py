import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_404_in_our_own_look(recruiter_client):
    response = recruiter_client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"We can\xe2\x80\x99t find that page" in response.content
    assert b"convene.css" in response.content


def test_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_pages_carry_a_strict_csp_with_a_nonce_on_the_htmx_script(client):
    response = client.get("/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content
    assert b"htmx" in response.content

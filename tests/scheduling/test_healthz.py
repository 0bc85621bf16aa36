from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_healthz_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError
    ):
        response = client.get("/healthz")
    assert response.status_code == 503

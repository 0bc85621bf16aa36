"""Shared fixtures: a tenant with a recruiter and a colleague, and an outsider in another;
and the `--at` option, which replays the whole run at another instant."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from scheduling.models import Membership, Tenant, User
from tests.sandbox_fixtures import live_unified, receiver, sandbox, sandbox_server  # noqa: F401

PASSWORD = "a-Long-test-passw0rd"


def pytest_addoption(parser):
    parser.addoption(
        "--at",
        metavar="INSTANT",
        help="start the clock at INSTANT for the whole run and let it tick, e.g. "
        "--at 2027-03-13T23:30:00Z (UTC when no offset is given); the in-process sandbox "
        "seeds for that day, so a failure seen on another day can be replayed",
    )


def parse_instant(text):
    try:
        instant = dt.datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(
            f"--at {text!r} is not an ISO 8601 instant (e.g. 2027-03-13T23:30:00Z)"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def pytest_configure(config):
    at = config.getoption("--at", default=None)
    if at:
        # Started before any fixture, so the session's sandbox is seeded for that day; tests
        # that travel in time themselves nest inside it and come back to it.
        traveller = time_machine.travel(parse_instant(at), tick=True)
        traveller.start()
        config._convene_clock = traveller


def pytest_unconfigure(config):
    traveller = getattr(config, "_convene_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    at = config.getoption("--at", default=None)
    if at:
        return f"clock: the run starts at {parse_instant(at).isoformat()} (--at)"
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file, not memory: with an in-memory database a live
    server's thread shares the test's own connection (Django's LiveServerThread), so one
    thread's transaction, and its rollback, would be the other's too. With a file each
    thread has its own connection and locks, as the processes of a real deployment do."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test-convene.sqlite3")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Tasks run at once, inside the request or command that enqueues them.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    # Each test run keeps its cache in memory, apart from a `make run` in the same checkout.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "convene",
        }
    }
    # …and starts with it empty: what one test left there (a drain's mark, a rate limit's
    # count) must not decide what the next one sees.
    cache.clear()


def make_member(tenant, email, role=Membership.Role.RECRUITER, **user_fields):
    user = User.objects.create_user(username=email, email=email, password=PASSWORD, **user_fields)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def tenant(db):
    return Tenant.objects.create(
        name="Acme Robotics", slug="acme", default_timezone="America/New_York"
    )


@pytest.fixture
def other_tenant(db):
    return Tenant.objects.create(
        name="Globex Labs", slug="globex", default_timezone="Europe/London"
    )


@pytest.fixture
def recruiter(tenant):
    return make_member(tenant, "rosa@acme.example", first_name="Rosa", last_name="Recruiter")


@pytest.fixture
def admin_member(tenant):
    return make_member(tenant, "ada@acme.example", Membership.Role.ADMIN, first_name="Ada")


@pytest.fixture
def colleague(tenant):
    return make_member(tenant, "colin@acme.example", first_name="Colin")


@pytest.fixture
def outsider(other_tenant):
    return make_member(other_tenant, "otto@globex.example", first_name="Otto")


@pytest.fixture
def recruiter_client(client, recruiter):
    client.force_login(recruiter)
    return client


@pytest.fixture
def admin_client_(client, admin_member):
    """A tenant admin's client (pytest-django's `admin_client` is a Django superuser)."""
    client.force_login(admin_member)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client

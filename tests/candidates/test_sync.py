"""The ATS mirror without Unified: the periodic sync and webhook deliveries write through the
same upsert, which keeps the newest copy of each record and follows an application's close."""

import pytest

from candidates import changes, sync
from candidates.models import Application, BookingLink, Candidate, Job, SyncRun
from scheduling.models import AuditEntry
from scheduling.unified import records
from tests import factories as f
from tests.candidates.links_helpers import make_link, url
from tests.candidates.sync_helpers import FakeListing

pytestmark = pytest.mark.django_db

OLD = "2026-11-20T10:00:00Z"
NEW = "2026-11-25T10:00:00Z"


class FakeATS:
    """The few list calls a sync makes, answering with the records given."""

    def __init__(self, *, jobs=(), candidates=(), applications=(), interviews=(), limit=100):
        self.jobs, self.candidates, self.applications = jobs, candidates, applications
        self.interviews, self.limit = interviews, limit

    def list_stages(self, cid):
        return FakeListing([], self.limit)

    def list_jobs(self, cid, **params):
        return FakeListing(self.jobs, self.limit)

    def list_candidates(self, cid, **params):
        return FakeListing(self.candidates, self.limit)

    def list_applications(self, cid, **params):
        return FakeListing(self.applications, self.limit)

    def list_interviews(self, cid, **params):
        return FakeListing(self.interviews, self.limit)

    def list_employees(self, cid):
        return FakeListing([], self.limit)


def application_record(app, status, updated):
    return records.Application.from_api(
        {
            "id": app.remote_id,
            "candidate_id": app.candidate.remote_id,
            "status": status,
            "updated_at": updated,
        }
    )


def run(conn, client):
    run = sync.start_sync(conn, kind=SyncRun.Kind.INCREMENTAL)
    run = sync.run_sync(run.pk, client=client)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


@pytest.fixture
def app(ats):
    return f.application(ats, remote_updated_at=None)


# --- out-of-order records -------------------------------------------------------------------


def test_an_older_application_delivery_after_a_newer_one_changes_nothing(ats, app):
    changes.applications_changed(ats, [application_record(app, "REJECTED", NEW)], "updated", "")
    changes.applications_changed(
        ats, [application_record(app, "SECOND_INTERVIEW", OLD)], "updated", ""
    )
    app.refresh_from_db()
    assert app.status == "REJECTED"
    assert app.remote_updated_at == records.parse_datetime(NEW)


def test_a_sync_page_older_than_a_delivery_changes_nothing(ats, app):
    changes.applications_changed(ats, [application_record(app, "REJECTED", NEW)], "updated", "")
    run(ats, FakeATS(applications=[application_record(app, "SECOND_INTERVIEW", OLD)]))
    app.refresh_from_db()
    assert app.status == "REJECTED"


def test_a_newer_record_and_one_without_a_stored_time_are_written(ats, app):
    run(ats, FakeATS(applications=[application_record(app, "SECOND_INTERVIEW", OLD)]))
    app.refresh_from_db()
    assert (app.status, app.remote_updated_at) == (
        "SECOND_INTERVIEW",
        records.parse_datetime(OLD),
    )
    run(ats, FakeATS(applications=[application_record(app, "OFFER", NEW)]))
    app.refresh_from_db()
    assert app.status == "OFFER"


def test_older_candidates_and_jobs_are_ignored_too(ats, app):
    job = f.job(ats, "Compiler Engineer", remote_updated_at=records.parse_datetime(NEW))
    Candidate.objects.filter(pk=app.candidate_id).update(
        remote_updated_at=records.parse_datetime(NEW)
    )
    stale_candidate = records.Candidate.from_api(
        {"id": app.candidate.remote_id, "name": "Old Name", "updated_at": OLD}
    )
    stale_job = records.Job.from_api({"id": job.remote_id, "name": "Old title", "updated_at": OLD})
    changes.candidates_changed(ats, [stale_candidate], "updated", "")
    changes.jobs_changed(ats, [stale_job], "updated", "")
    run(ats, FakeATS(jobs=[stale_job], candidates=[stale_candidate]))
    assert Candidate.objects.get(pk=app.candidate_id).name == app.candidate.name
    assert Job.objects.get(pk=job.pk).name == "Compiler Engineer"
    assert Application.objects.get(pk=app.pk).candidate_id == app.candidate_id


def test_a_stale_record_still_counts_as_present_in_a_full_sync(ats, app):
    Application.objects.filter(pk=app.pk).update(remote_updated_at=records.parse_datetime(NEW))
    candidate = records.Candidate.from_api(
        {"id": app.candidate.remote_id, "name": app.candidate.name}
    )
    client = FakeATS(candidates=[candidate], applications=[application_record(app, "NEW", OLD)])
    run_ = sync.start_sync(ats, kind=SyncRun.Kind.FULL)
    assert sync.run_sync(run_.pk, client=client).status == SyncRun.Status.SUCCEEDED
    app.refresh_from_db()
    assert (app.removed_at, app.status) == (None, "FIRST_INTERVIEW")


# --- an application closed in the ATS ------------------------------------------------------
# These run at the links' fixed "now" (`frozen`, 1 December 2026, requested first), so the
# ATS records' times below are newer than the rows the fixtures write, whatever today is.


@pytest.fixture
def booked_and_open(client, link, application, plan, recruiter):
    """An interview booked from one link, and a second link still open."""
    response = client.post(
        url("confirm", link),
        {"start": "20261207T1500Z", "tz": "UTC", "version": link.version, "action": "book"},
    )
    assert response.status_code == 302
    link.refresh_from_db()
    return link.interview, make_link(application, plan, recruiter)


@pytest.mark.parametrize("status", ["REJECTED", "WITHDRAWN"])
def test_a_sync_that_brings_the_close_first_revokes_links_and_flags_interviews(
    frozen, ats, application, booked_and_open, status
):
    interview, open_link = booked_and_open
    run(ats, FakeATS(applications=[application_record(application, status, "2026-12-01T16:00Z")]))

    open_link.refresh_from_db()
    interview.refresh_from_db()
    assert open_link.state == BookingLink.State.REVOKED
    assert "Cancel this interview?" in interview.flag_text
    assert interview.status == "scheduled"  # until the recruiter confirms
    entry = AuditEntry.objects.get(action="application.closed")
    assert entry.actor_label == "ATS sync" and "revoked 1 open booking link(s)" in entry.message


def test_a_close_is_acted_on_once_whoever_brings_it(frozen, ats, application, booked_and_open):
    closed = application_record(application, "REJECTED", "2026-12-01T16:00Z")
    changes.applications_changed(ats, [closed], "updated", "")
    run(ats, FakeATS(applications=[closed]))
    hired = application_record(application, "HIRED", "2026-12-01T17:00Z")
    run(ats, FakeATS(applications=[hired]))
    assert AuditEntry.objects.filter(action="application.closed").count() == 1
    assert AuditEntry.objects.get(action="application.closed").actor_label == "ATS change"


def test_a_move_between_open_stages_revokes_nothing(frozen, ats, application, link):
    run(ats, FakeATS(applications=[application_record(application, "OFFER", "2026-12-01T16:00Z")]))
    link.refresh_from_db()
    assert link.state == BookingLink.State.OPEN
    assert not AuditEntry.objects.filter(action="application.closed").exists()


# --- the candidate's zone from their address ----------------------------------------------


def candidate_record(candidate, address, updated=NEW):
    return records.Candidate.from_api(
        {
            "id": candidate.remote_id,
            "name": candidate.name,
            "emails": [{"email": candidate.email}],
            "address": address,
            "updated_at": updated,
        }
    )


def test_an_address_in_the_ats_gives_a_guessed_zone_and_is_shown(ats):
    pune = f.candidate(ats, "Asha Rao")
    la = f.candidate(ats, "Lee Park")
    nowhere = f.candidate(ats, "Sam Doe")
    run(
        ats,
        FakeATS(
            candidates=[
                candidate_record(pune, {"city": "Pune", "region": "MH", "country": "India"}),
                candidate_record(
                    la, {"city": "Santa Monica", "region_code": "CA", "country_code": "US"}
                ),
                candidate_record(nowhere, {"country": "Brazil"}),
            ]
        ),
    )
    pune.refresh_from_db()
    la.refresh_from_db()
    nowhere.refresh_from_db()
    assert (pune.timezone, pune.timezone_source, pune.location) == (
        "Asia/Kolkata",
        "address",
        "Pune, MH, India",
    )
    assert (la.timezone, la.timezone_source) == ("America/Los_Angeles", "address")
    # Brazil has several zones and no city was given: no guess rather than a wrong one.
    assert (nowhere.timezone, nowhere.timezone_source, nowhere.location) == ("", "", "Brazil")


def test_a_guess_never_replaces_what_a_person_said(ats):
    candidate = f.candidate(ats, "Asha Rao")
    candidate.note_zone("Europe/London", Candidate.ZoneSource.RECRUITER)
    run(ats, FakeATS(candidates=[candidate_record(candidate, {"city": "Pune", "country": "IN"})]))
    candidate.refresh_from_db()
    assert (candidate.timezone, candidate.timezone_source) == ("Europe/London", "recruiter")


def test_a_later_address_updates_an_earlier_guess(ats):
    candidate = f.candidate(ats, "Asha Rao")
    run(ats, FakeATS(candidates=[candidate_record(candidate, {"city": "Pune", "country": "IN"},
                                                  OLD)]))  # fmt: skip
    run(
        ats, FakeATS(candidates=[candidate_record(candidate, {"city": "Berlin", "country": "DE"})])
    )
    candidate.refresh_from_db()
    assert (candidate.timezone, candidate.timezone_source) == ("Europe/Berlin", "address")


def test_the_zone_is_kept_by_the_surest_source(ats):
    candidate = f.candidate(ats, "Asha Rao")
    assert candidate.zone_name("America/New_York") == "America/New_York"
    assert candidate.note_zone("Asia/Calcutta", Candidate.ZoneSource.ADDRESS)
    assert candidate.timezone == "Asia/Kolkata"  # kept by its canonical name
    assert candidate.note_zone("Europe/London", Candidate.ZoneSource.RECRUITER)
    # A browser opening the booking page does not undo the recruiter; the candidate
    # choosing a zone there (or booking in it) does.
    assert not candidate.note_zone("Asia/Tokyo", Candidate.ZoneSource.BOOKING_PAGE, chosen=False)
    assert candidate.note_zone("Asia/Tokyo", Candidate.ZoneSource.BOOKING_PAGE)
    assert not candidate.note_zone("Asia/Kolkata", Candidate.ZoneSource.ADDRESS)
    assert not candidate.note_zone("Not/AZone", Candidate.ZoneSource.RECRUITER)
    candidate.refresh_from_db()
    assert (candidate.timezone, candidate.timezone_source) == ("Asia/Tokyo", "booking")
    assert candidate.zone_name("America/New_York") == "Asia/Tokyo"

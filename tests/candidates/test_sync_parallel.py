"""A large ATS: the sync reads its lists' pages side by side within the connection's limit,
writes each page as it comes (its progress exact at every step), keeps references between
types whatever order pages arrive in, and a sync that failed is continued where it stopped.

The ATS here is a fake with small pages (10 records), a little latency per call, and a
fault that can be aimed at one page."""

import threading
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates import sync
from candidates.models import Application, Candidate, Job, RemoteInterview, SyncRun
from scheduling.unified import records
from scheduling.unified.client import Page
from scheduling.unified.errors import RetryableError
from tests import factories as f

pytestmark = pytest.mark.django_db

PAGE = 10


class PagedATS:
    """Lists of records served `limit` at a time, `latency` seconds per call, counting the
    calls in flight; `fail` names (type, offset) pages that fail for good."""

    def __init__(self, *, candidates=(), applications=(), interviews=(), jobs=(), latency=0.01):
        self.lists = {
            "stages": [],
            "jobs": list(jobs),
            "candidates": list(candidates),
            "applications": list(applications),
            "interviews": list(interviews),
            "employees": [],
        }
        self.latency = latency
        self.fail = set()
        self.calls = []  # (type, offset)
        self.flying = 0
        self.most_flying = 0
        self.flying_types = Counter()
        self.types_at_once = 0
        self._lock = threading.Lock()

    def _listing(self, name, params=None):
        ats = self

        class Listing:
            limit = PAGE

            def page(self, offset):
                return ats._page(name, offset)

        return Listing()

    def _page(self, name, offset):
        with self._lock:
            self.calls.append((name, offset))
            self.flying += 1
            self.most_flying = max(self.most_flying, self.flying)
            self.flying_types[name] += 1
            self.types_at_once = max(self.types_at_once, len(+self.flying_types))
        try:
            time.sleep(self.latency)
            if (name, offset) in self.fail:
                raise RetryableError("HTTP 500: the ATS is down (test)", status=500)
            chunk = self.lists[name][offset : offset + PAGE]
            return Page(offset, chunk, last=len(chunk) < PAGE)
        finally:
            with self._lock:
                self.flying -= 1
                self.flying_types[name] -= 1

    def list_stages(self, cid):
        return self._listing("stages")

    def list_jobs(self, cid, **params):
        return self._listing("jobs")

    def list_candidates(self, cid, **params):
        return self._listing("candidates")

    def list_applications(self, cid, **params):
        return self._listing("applications")

    def list_interviews(self, cid, **params):
        return self._listing("interviews")

    def list_employees(self, cid, **params):
        return self._listing("employees")


def candidates(n):
    return [
        records.Candidate.from_api(
            {"id": f"c{i}", "name": f"Candidate {i}", "emails": [{"email": f"c{i}@x.example"}]}
        )
        for i in range(n)
    ]


def applications(candidate_ids, job_id=None):
    return [
        records.Application.from_api(
            {"id": f"a{cid}", "candidate_id": cid, "job_id": job_id, "status": "SCREENING"}
        )
        for cid in candidate_ids
    ]


def interviews(application_ids):
    return [
        records.Interview.from_api(
            {
                "id": f"i{aid}",
                "application_id": aid,
                "status": "SCHEDULED",
                "start_at": "2030-01-07T15:00:00Z",
                "end_at": "2030-01-07T16:00:00Z",
            }
        )
        for aid in application_ids
    ]


def run_full(conn, ats):
    run = sync.start_sync(conn, kind=SyncRun.Kind.FULL)
    return sync.run_sync(run.pk, client=ats)


@pytest.fixture
def ats(tenant):
    return f.connection(tenant)


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.UNIFIED_SYNC_CONCURRENCY = 4


def test_pages_of_every_type_are_read_side_by_side_within_the_connections_limit(ats):
    fake = PagedATS(
        candidates=candidates(60), applications=applications([f"c{i}" for i in range(60)])
    )
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert fake.most_flying == 4  # as many calls as allowed, never more
    assert fake.types_at_once >= 2  # candidates and applications at once
    assert run.counts["candidates"] == 60 and run.counts["applications"] == 60
    assert Application.objects.filter(connection=ats, candidate__isnull=False).count() == 60


def test_the_progress_is_exactly_what_is_in_the_mirror_at_every_step(ats, monkeypatch):
    fake = PagedATS(
        candidates=candidates(45),
        applications=applications([f"c{i}" for i in range(45)]),
        interviews=interviews([f"ac{i}" for i in range(0, 45, 3)]),
    )
    seen = []
    progress = sync._Sync._progress

    def checked(self):
        progress(self)
        run = SyncRun.objects.get(pk=self.run.pk)
        stored = {
            "candidates": Candidate.objects.filter(connection=ats).count(),
            "applications": Application.objects.filter(connection=ats).count(),
            "interviews": RemoteInterview.objects.filter(connection=ats).count(),
        }
        assert {name: run.counts[name] for name in stored} == stored
        assert run.records_so_far == sum(stored.values())
        seen.append(run.records_so_far)

    monkeypatch.setattr(sync._Sync, "_progress", checked)
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert len(seen) > 10 and seen == sorted(seen)  # page by page, never backwards
    assert seen[-1] == 45 + 45 + 15
    assert (run.counts["candidates"], run.counts["applications"], run.counts["interviews"]) == (
        45,
        45,
        15,
    )


def test_an_application_read_before_its_candidate_waits_for_it(ats):
    """Applications in the opposite order to their candidates: each still gets its
    candidate, and its list is held back while too many wait."""
    ids = [f"c{i}" for i in range(80)]
    job = f.job(ats, "Robotics Engineer")
    fake = PagedATS(candidates=candidates(80), applications=applications(ids[::-1], job.remote_id))
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    apps = Application.objects.filter(connection=ats)
    assert apps.count() == 80
    assert {a.candidate.remote_id for a in apps} == set(ids)
    assert {a.job_id for a in apps} == {job.pk}
    assert not any("skipped" in w for w in run.warnings)


def test_interviews_wait_for_their_applications(ats):
    ids = [f"c{i}" for i in range(30)]
    fake = PagedATS(
        candidates=candidates(30),
        applications=applications(ids),
        interviews=interviews([f"a{cid}" for cid in ids[::-1]]),
    )
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    linked = RemoteInterview.objects.filter(connection=ats, application__isnull=False)
    assert linked.count() == 30
    assert all(i.application.remote_id == i.remote_id[1:] for i in linked)


def test_an_application_whose_candidate_never_comes_is_skipped_with_a_warning(ats):
    fake = PagedATS(candidates=candidates(5), applications=applications(["c1", "c404"]))
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Application.objects.filter(connection=ats).count() == 1
    assert any("c404 is not in the ATS" in w for w in run.warnings)
    assert run.counts["applications"] == 2  # both were read


def test_waiting_rows_stay_bounded(ats, monkeypatch):
    monkeypatch.setattr(sync, "MAX_WAITING", 20)
    most = []
    write_waiting = sync._Sync._write_waiting

    def watched(self):
        write_waiting(self)
        most.append(len(self.waiting["applications"]))

    monkeypatch.setattr(sync._Sync, "_write_waiting", watched)
    ids = [f"c{i}" for i in range(100)]
    fake = PagedATS(candidates=candidates(100), applications=applications(ids[::-1]))
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    # Held back at 20 waiting: at most the calls in flight land on top of that.
    assert max(most) <= 20 + 4 * PAGE
    assert Application.objects.filter(connection=ats).count() == 100


def test_a_failed_sync_is_continued_from_where_it_stopped(ats):
    fake = PagedATS(
        candidates=candidates(60), applications=applications([f"c{i}" for i in range(60)])
    )
    fake.fail = {("candidates", 30)}
    failed = run_full(ats, fake)
    assert failed.status == SyncRun.Status.FAILED and "down" in failed.error
    stored = Candidate.objects.filter(connection=ats).count()
    assert failed.cursor["candidates"]["offset"] == 30  # every page before it is written
    assert failed.counts["candidates"] == stored >= 30
    assert failed.records_so_far == stored + Application.objects.filter(connection=ats).count()

    fake.fail = set()
    fake.calls.clear()
    resumed = sync.start_sync(ats)
    assert resumed.resumed_from == failed and resumed.kind == SyncRun.Kind.FULL
    assert resumed.counts["candidates"] == 30  # what it keeps: the pages behind the cursor
    assert resumed.begun_at == failed.begun_at
    done = sync.run_sync(resumed.pk, client=fake)
    assert done.status == SyncRun.Status.SUCCEEDED, done.error
    asked = {offset for name, offset in fake.calls if name == "candidates"}
    assert min(asked) == 30  # the first 30 candidates were not read again
    assert done.counts["candidates"] == 60 and done.counts["applications"] == 60
    assert Candidate.objects.filter(connection=ats, removed_at__isnull=True).count() == 60
    assert Application.objects.filter(connection=ats).count() == 60
    ats.refresh_from_db()
    assert ats.synced_until == failed.begun_at  # the next incremental asks from the start


def test_a_sync_cut_off_by_a_killed_worker_is_continued(ats):
    fake = PagedATS(candidates=candidates(40))
    fake.fail = {("candidates", 20)}
    failed = run_full(ats, fake)
    # As if the worker had died mid-run: still "running", no progress for a while.
    long_ago = failed.begun_at - sync.STALE_AFTER * 2
    SyncRun.objects.filter(pk=failed.pk).update(
        status=SyncRun.Status.RUNNING, started_at=long_ago, progressed_at=long_ago
    )
    fake.fail = set()
    resumed = sync.start_sync(ats)
    failed.refresh_from_db()
    assert failed.status == SyncRun.Status.FAILED and "interrupted" in failed.error
    assert resumed.resumed_from == failed
    assert sync.run_sync(resumed.pk, client=fake).counts["candidates"] == 40


def test_a_running_sync_that_makes_progress_is_not_taken_for_dead(ats):
    run = sync.start_sync(ats, kind=SyncRun.Kind.FULL)
    now = run.created_at
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.RUNNING,
        started_at=now - sync.STALE_AFTER * 3,  # a long sync…
        progressed_at=now,  # …still writing pages
    )
    assert sync.start_sync(ats) == run


def test_another_kind_of_sync_starts_afresh(ats):
    fake = PagedATS(candidates=candidates(30))
    fake.fail = {("candidates", 10)}
    run_full(ats, fake)
    run = sync.start_sync(ats, kind=SyncRun.Kind.INCREMENTAL)
    assert run.resumed_from is None and run.cursor == {}


def test_a_full_sync_marks_what_it_did_not_see_even_when_continued(ats):
    gone = f.candidate(ats, "Gone Person")
    fake = PagedATS(candidates=candidates(25))
    fake.fail = {("candidates", 20)}
    run_full(ats, fake)
    fake.fail = set()
    sync.run_sync(sync.start_sync(ats).pk, client=fake)
    gone.refresh_from_db()
    assert gone.removed_at is not None
    assert Candidate.objects.filter(connection=ats, removed_at__isnull=True).count() == 25


def test_one_live_sync_per_connection_even_when_two_ask_at_once(ats):
    first = sync.start_sync(ats)
    assert sync.start_sync(ats) == first
    # The database holds it too (two periodic runners racing past the check).
    with pytest.raises(Exception, match=r"(?i)unique"):
        SyncRun.objects.create(tenant=ats.tenant, connection=ats, kind=SyncRun.Kind.FULL)


def test_the_connection_page_shows_each_types_progress(ats, admin_client_):
    run = sync.start_sync(ats, kind=SyncRun.Kind.FULL)
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncRun.Status.RUNNING,
        records_so_far=12345,
        counts={"stages": 7, "jobs": 42, "candidates": 12296, "applications": 0},
        cursor={"stages": {"done": True}, "jobs": {"done": True}},
        current_object="candidates, applications, interviews",
    )
    page = admin_client_.get(reverse("connection_detail", args=[ats.pk])).content.decode()
    assert "12,345 records saved so far" in page
    assert "<td>Candidates</td><td>12,296</td>" in page and "<td>Jobs</td><td>42</td>" in page
    assert '<progress max="6" value="2">' in page


def test_a_failed_sync_says_what_it_kept(ats, admin_client_):
    fake = PagedATS(candidates=candidates(30))
    fake.fail = {("candidates", 20)}
    run_full(ats, fake)
    page = admin_client_.get(reverse("connection_detail", args=[ats.pk])).content.decode()
    assert "The last sync failed" in page
    assert "The 20 records it had read are saved" in page
    assert "continues from where it stopped" in page
    assert "kept refusing or not answering" in page


def test_sync_now_says_it_continues_the_stopped_sync_without_a_second_count(ats, admin_client_):
    fake = PagedATS(candidates=candidates(30))
    fake.fail = {("candidates", 20)}
    run_full(ats, fake)
    response = admin_client_.post(reverse("connection_sync", args=[ats.pk]), follow=True)
    notes = [str(m) for m in response.context["messages"]]
    said = "Sync started: it continues the one that stopped, keeping what that one saved."
    assert notes == [said]
    assert SyncRun.objects.filter(resumed_from__isnull=False).count() == 1


def test_sync_now_while_a_sync_runs_says_so_and_starts_nothing(ats, admin_client_):
    running = sync.start_sync(ats, kind=SyncRun.Kind.FULL)
    response = admin_client_.post(reverse("connection_sync", args=[ats.pk]), follow=True)
    notes = [str(m) for m in response.context["messages"]]
    assert notes == ["A sync is already under way: its progress is below."]
    assert list(SyncRun.objects.filter(connection=ats)) == [running]


def test_a_failed_sync_that_kept_only_stages_and_jobs_is_not_continued(ats):
    fake = PagedATS(candidates=candidates(30))
    fake.fail = {("candidates", 0)}
    failed = run_full(ats, fake)
    assert failed.status == SyncRun.Status.FAILED and failed.cursor["jobs"]["done"]
    fresh = sync.start_sync(ats)
    assert fresh.resumed_from is None and fresh.records_so_far == 0


def test_a_finished_sync_of_changes_says_what_changed_in_words(ats, admin_client_):
    SyncRun.objects.create(
        tenant=ats.tenant,
        connection=ats,
        kind=SyncRun.Kind.INCREMENTAL,
        status=SyncRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        counts={"stages": 98, "jobs": 0, "candidates": 0, "applications": 0, "interviewers": 15},
    )
    page = admin_client_.get(reverse("connection_detail", args=[ats.pk])).content.decode()
    assert "Last sync finished</strong> just now:" in page
    assert "nothing had changed since the sync before." in page
    assert "0 candidates" not in page and "98 stages" not in page


def test_a_job_names_its_recruiters_even_before_the_hris_does(ats):
    job = records.Job.from_api({"id": "j1", "name": "Welder", "recruiter_ids": ["u7"]})
    fake = PagedATS(jobs=[job])
    run = run_full(ats, fake)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert [i.ats_user_id for i in Job.objects.get(remote_id="j1").recruiters.all()] == ["u7"]


def test_a_continued_sync_names_and_links_the_people_its_jobs_name(ats):
    job = records.Job.from_api({"id": "j1", "name": "Welder", "recruiter_ids": ["u7"]})
    uma = records.Employee.from_api(
        {
            "id": "u7",
            "name": "Uma Seven",
            "emails": [{"email": "uma@acme.example"}],
            "timezone": "Europe/Berlin",
        }
    )
    fake = PagedATS(jobs=[job], candidates=candidates(20))
    fake.lists["employees"] = [uma]
    fake.fail = {("candidates", 10)}
    failed = run_full(ats, fake)
    assert failed.cursor["jobs"]["done"]
    fake.fail = set()
    before = len(fake.calls)
    done = sync.run_sync(sync.start_sync(ats).pk, client=fake)
    assert done.status == SyncRun.Status.SUCCEEDED, done.error
    read_again = {name for name, _offset in fake.calls[before:]}
    assert "jobs" in read_again  # a page, to link its people at the end…
    assert min(o for n, o in fake.calls[before:] if n == "candidates") == 10  # …not these
    assert done.counts["jobs"] == 1  # counted once
    recruiter = Job.objects.get(remote_id="j1").recruiters.get()
    assert (recruiter.ats_user_id, recruiter.name, recruiter.email, recruiter.timezone) == (
        "u7",
        "Uma Seven",
        "uma@acme.example",
        "Europe/Berlin",
    )


def test_a_recruiter_added_by_hand_is_recognised_by_email_not_doubled(ats, tenant):
    by_hand = f.interviewer(tenant, "Uma Seven", email="uma@acme.example")
    job = records.Job.from_api({"id": "j1", "name": "Welder", "recruiter_ids": ["u7"]})
    uma = records.Employee.from_api(
        {"id": "u7", "name": "Uma Seven", "emails": [{"email": "UMA@acme.example"}]}
    )
    fake = PagedATS(jobs=[job])
    fake.lists["employees"] = [uma]
    assert run_full(ats, fake).status == SyncRun.Status.SUCCEEDED
    by_hand.refresh_from_db()
    assert by_hand.ats_user_id == "u7"
    assert list(Job.objects.get(remote_id="j1").recruiters.all()) == [by_hand]

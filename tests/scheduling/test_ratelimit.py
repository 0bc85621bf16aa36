"""Rate limits count exactly under concurrency on every cache the README offers (the default
file cache included), and are keyed on the client's address as README's TRUSTED_PROXY_COUNT
says."""

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import RequestFactory

from scheduling.lib import ratelimit

CACHES = {
    "file": "django.core.cache.backends.filebased.FileBasedCache",
    "memory": "django.core.cache.backends.locmem.LocMemCache",
}


@pytest.fixture(params=sorted(CACHES))
def cache_backend(request, settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": CACHES[request.param], "LOCATION": str(tmp_path / "cache")}
    }
    return request.param


def test_thirty_concurrent_attempts_on_a_limit_of_five_let_exactly_five_through(cache_backend):
    start = threading.Barrier(30)

    def attempt(_):
        start.wait()
        return ratelimit.allow("link:concurrent", 5)

    with ThreadPoolExecutor(30) as pool:
        results = list(pool.map(attempt, range(30)))
    assert results.count(True) == 5


def _attempt_in_a_process(barrier, results, location):
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": CACHES["file"], "LOCATION": location}}
    barrier.wait()
    results.put(ratelimit.allow("link:processes", 5))


def test_thirty_processes_sharing_the_file_cache_let_exactly_five_through(settings, tmp_path):
    """As gunicorn's workers, the task worker and the periodic runner share var/cache/."""
    settings.CACHES = {
        "default": {
            "BACKEND": CACHES["file"],
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    # Not forked from this process, which runs threads (a fork could copy a held lock):
    # each child comes from a fresh single-threaded server and opens the same folder.
    context = multiprocessing.get_context("forkserver")
    barrier, results = context.Barrier(30), context.Queue()
    location = settings.CACHES["default"]["LOCATION"]
    processes = [
        context.Process(target=_attempt_in_a_process, args=(barrier, results, location))
        for _ in range(30)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes.count(True) == 5


def test_a_new_window_starts_a_new_count(cache_backend, time_machine):
    time_machine.move_to("2030-01-07T10:00:00Z")
    assert [ratelimit.allow("k", 2) for _ in range(3)] == [True, True, False]
    time_machine.move_to("2030-01-07T10:01:00Z")
    assert ratelimit.allow("k", 2)


def test_increment_counts_from_one(cache_backend):
    assert [ratelimit.increment("version") for _ in range(3)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1", "10.0.0.1"),  # no proxy of ours: the header is anyone's
        (1, "198.51.100.7, 203.0.113.9", "10.0.0.1", "203.0.113.9"),
        (2, "198.51.100.7, 203.0.113.9", "10.0.0.1", "198.51.100.7"),
        (2, "203.0.113.9", "10.0.0.1", "10.0.0.1"),  # shorter than the proxies: not believed
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
        (0, "", "", None),  # a unix socket: no address to tell
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, remote, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert ratelimit.client_address(request) == expected

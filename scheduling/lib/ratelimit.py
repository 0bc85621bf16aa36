"""Rate limits, and the client address they are keyed on: the one home of both (the
candidate's booking links count attempts here; sign-in throttling, django-axes, asks
`client_address` who is signing in).

A limit is a fixed-window counter in the default cache (`increment`, which the busy-block
and holds versions use too), and it must count exactly when many requests arrive at once,
on every cache the README offers. Redis and memcached increment atomically, and the
in-memory cache under its lock; Django's file cache reads a file and writes it back, so two
processes can both read 4 and both write 5. There the count is taken
under an OS lock on a file beside the cache's own files, which every process of the machine
shares (as they share the cache itself).
"""

import contextlib
import fcntl
import ipaddress
import os

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import timezone

LOCK_FILE = "ratelimit.lock"  # not a `.djcache` file: the cache's culling leaves it alone


def allow(key, limit, per_seconds=60):
    """True while `key` stays within `limit` calls in the current window of `per_seconds`."""
    window = int(timezone.now().timestamp() // per_seconds)
    return increment(f"ratelimit:{key}:{window}", per_seconds + 5) <= limit


def increment(key, timeout=None):
    """Add one to the cache's counter `key` (made at 0 when missing, kept `timeout` seconds,
    None: for good) and return its new value, exact under concurrency on every backend."""
    cache = caches["default"]
    if isinstance(cache, FileBasedCache):
        with _file_lock(cache._dir):
            count = (cache.get(key) or 0) + 1
            cache.set(key, count, timeout)
            return count
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout)
        return 1


@contextlib.contextmanager
def _file_lock(directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, LOCK_FILE), "a") as handle:
        # flock: held per open file, so threads of one process exclude each other too.
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def client_address(request):
    """The client's IP address, or None when there is none to tell: behind
    settings.TRUSTED_PROXY_COUNT proxies, the one the outermost of them put in
    X-Forwarded-For (entries further left came from the client and prove nothing); else, or
    when that header is short or garbled, the connecting address."""
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < count:
        return remote
    return _ip(hops[-count]) or remote


def _ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None

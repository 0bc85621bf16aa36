"""Fault injection for the Unified API paths (never the sandbox page or /sandbox/ controls).

Knobs (all default off):
  latency_ms        added to every request before anything else
  latency_jitter_ms a further random delay, uniform between 0 and this (random latency)
  rate_429          fraction answered 429 {"message": …} with `Retry-After: <retry_after>`
  rate_500          fraction answered 500
  rate_timeout      fraction that hang for `timeout_seconds`, then answer 504 (set it above
                    the client's read timeout to make the client time out)
  fail_after_write  fraction of successful writes (POST/PUT/PATCH/DELETE) answered 500
                    *after* the write was applied: the lost response that makes
                    idempotency matter. `true` means 1.
  retry_after       the Retry-After value in seconds (default 1; tests use 0; null omits it)
  timeout_seconds   how long a timeout hangs (default 30)

Set them with command-line flags, `POST /sandbox/faults` (JSON; GET reads them), or per
request with a header: `X-Sandbox-Faults: latency_ms=200; rate_429=0.3; rate_500=0.1`.
The draws come from one random stream seeded with `fault_seed`, so a run is reproducible
(given the same order of requests).
"""

import random
import threading
from dataclasses import asdict, dataclass, fields, replace

from .web import ApiError

HEADER = "X-Sandbox-Faults"


@dataclass(frozen=True)
class FaultConfig:
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_timeout: float = 0.0
    fail_after_write: float = 0.0
    retry_after: int | None = 1
    timeout_seconds: float = 30.0

    @classmethod
    def knobs(cls):
        return [f.name for f in fields(cls)]

    def merged(self, changes):
        """A copy with `changes` (a mapping of knob → value) applied and checked."""
        clean = {}
        for key, value in changes.items():
            if key not in self.knobs():
                continue  # unknown knobs are ignored, like unknown query parameters
            if key == "retry_after" and value in (None, "", "none", "null"):
                clean[key] = None
                continue
            if key == "fail_after_write" and isinstance(value, bool | str):
                if str(value).lower() in ("true", "yes", "on"):
                    value = 1.0
                elif str(value).lower() in ("false", "no", "off"):
                    value = 0.0
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise ApiError(400, f"fault {key} must be a number, got {value!r}") from None
            if number < 0 or (
                (key.startswith("rate_") or key == "fail_after_write") and number > 1
            ):
                raise ApiError(400, f"fault {key} out of range: {value!r}")
            clean[key] = int(number) if key == "retry_after" else number
        return replace(self, **clean)

    def as_dict(self):
        return asdict(self)


def parse_header(text):
    """`latency_ms=200; rate_429=0.3` → {"latency_ms": "200", "rate_429": "0.3"}."""
    out = {}
    for part in (text or "").replace(",", ";").split(";"):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


class Faults:
    def __init__(self, config=None, seed=0):
        self.initial = config or FaultConfig()
        self.config = self.initial
        self.seed = seed
        self._rng = random.Random(seed)  # noqa: S311  (reproducible faults, not secrets)
        self._lock = threading.Lock()

    def update(self, changes):
        with self._lock:
            if "fault_seed" in changes:
                self.seed = changes["fault_seed"]
                self._rng = random.Random(self.seed)  # noqa: S311
            self.config = self.config.merged(changes)
            return self.config

    def reset(self):
        with self._lock:
            self.config = self.initial
            self._rng = random.Random(self.seed)  # noqa: S311

    def for_request(self, header_value):
        config = self.config
        if header_value:
            config = config.merged(parse_header(header_value))
        return config

    def draw(self):
        with self._lock:
            return self._rng.random()

    def as_dict(self):
        return {**self.config.as_dict(), "fault_seed": self.seed}

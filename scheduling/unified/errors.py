"""What can go wrong when talking to Unified, in terms the rest of Convene can act on.

Each error says whether trying again later could help (`retryable`), so the outbox and the
sync know whether to back off or give up, and carries Unified's message for the person who
has to fix it.
"""


class UnifiedError(Exception):
    """Base class. `status` is the HTTP status (None for network failures)."""

    retryable = False

    def __init__(self, message, *, status=None, connection_id=None, method=None, path=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.connection_id = connection_id
        self.method = method
        self.path = path

    def __str__(self):
        where = f" ({self.method} {self.path})" if self.method and self.path else ""
        status = f"HTTP {self.status}: " if self.status else ""
        return f"{status}{self.message}{where}"


class AuthenticationError(UnifiedError):
    """401/403: the token is wrong, or the connection's authorization was revoked at the
    vendor. The connection needs reconnecting; retrying will not help."""


class NotFoundError(UnifiedError):
    """404: the object (or the connection) does not exist."""


class NotSupportedError(UnifiedError):
    """The vendor behind the connection does not support this operation or field.

    How Unified reports this is unconfirmed (docs/unified.md §14.2); the client maps
    501 and 405, and 400s whose message says "not supported"/"not implemented", here.
    """


class PermanentError(UnifiedError):
    """Any other 4xx: the request itself is wrong; sending it again gives the same answer."""


class RetryableError(UnifiedError):
    """429, 5xx or a timeout/connection failure that outlasted the client's own retries.
    `retry_after` is the server's Retry-After in seconds, when it sent one."""

    retryable = True

    def __init__(self, message, *, retry_after=None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class SignatureError(Exception):
    """A webhook delivery whose signature is missing or wrong, or whose body is unusable.
    Nothing of such a delivery may be trusted or stored."""

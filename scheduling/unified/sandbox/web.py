"""Just enough HTTP for the sandbox: a request wrapper over the WSGI environ, responses, and
the error that every handler raises to answer 4xx/5xx with Unified's error body."""

import html
import json
from http import HTTPStatus
from urllib.parse import parse_qs, urlencode

MAX_BODY = 5 * 1024 * 1024


class ApiError(Exception):
    """Answered as `{"message": …, "status": …}` with a JSON content type. The body shape is
    unconfirmed for Unified (docs/unified.md §4); a `message` string is the least surprising."""

    def __init__(self, status, message, *, headers=()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


class Request:
    def __init__(self, environ):
        self.environ = environ
        self.method = environ["REQUEST_METHOD"].upper()
        self.path = environ.get("PATH_INFO") or "/"
        self.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self._body = None

    def header(self, name, default=None):
        key = "HTTP_" + name.upper().replace("-", "_")
        if name.lower() == "content-type":
            key = "CONTENT_TYPE"
        return self.environ.get(key, default)

    @property
    def host_url(self):
        scheme = self.environ.get("wsgi.url_scheme", "http")
        host = self.environ.get("HTTP_HOST") or (
            f"{self.environ['SERVER_NAME']}:{self.environ['SERVER_PORT']}"
        )
        return f"{scheme}://{host}"

    def arg(self, name, default=None):
        """The last value of a query parameter (what most servers do with repeats)."""
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name):
        """A list parameter sent either repeated (`fields=a&fields=b`, the SDK) or comma-joined
        (`fields=a,b`, Unified's CLI and the Connect widget): both forms, merged."""
        out = []
        for value in self.query.get(name, []):
            out.extend(part.strip() for part in value.split(",") if part.strip())
        return out

    def flag(self, name):
        return (self.arg(name) or "").lower() in ("1", "true", "yes")

    @property
    def body(self):
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY:
                raise ApiError(413, "request body too large")
            self._body = self.environ["wsgi.input"].read(length) if length > 0 else b""
        return self._body

    @property
    def is_form(self):
        return (self.header("content-type") or "").startswith("application/x-www-form-urlencoded")

    def json(self, *, required=True):
        if not self.body.strip():
            if required:
                raise ApiError(400, "a JSON request body is required")
            return {}
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return data

    def form(self):
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[-1] for key, values in parsed.items()}

    def payload(self):
        """Control endpoints take either a JSON body or an HTML form."""
        return self.form() if self.is_form else self.json(required=False)


class Response:
    def __init__(self, status=200, body=b"", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.headers = list(headers or [])

    def __call__(self, start_response):
        phrase = HTTPStatus(self.status).phrase if self.status in HTTPStatus else "Unknown"
        headers = [*self.headers, ("Content-Length", str(len(self.body)))]
        start_response(f"{self.status} {phrase}", headers)
        return [self.body]


def json_response(data, status=200, headers=()):
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(status, body, [("Content-Type", "application/json"), *headers])


def error_response(status, message, headers=()):
    return json_response({"message": message, "status": status}, status, headers)


def empty_response(status=200):
    # DELETE answers 200 with no body: the SDK ignores it and Unified's is unconfirmed (§3).
    return Response(status, b"")


def html_response(text, status=200):
    return Response(status, text, [("Content-Type", "text/html; charset=utf-8")])


def text_response(text, status=200):
    return Response(status, text, [("Content-Type", "text/plain; charset=utf-8")])


def redirect(location, status=302):
    return Response(status, b"", [("Location", location)])


def with_query(url, params):
    """`url` with `params` appended to its query string, keeping what is already there."""
    params = {k: v for k, v in params.items() if v is not None}
    if not params:
        return url
    base, _, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    if base.endswith(("?", "&")):
        joiner = ""
    out = base + joiner + urlencode(params)
    return f"{out}#{fragment}" if fragment else out


def esc(value):
    return html.escape("" if value is None else str(value), quote=True)

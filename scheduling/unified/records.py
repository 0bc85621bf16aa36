"""Typed, frozen records for Unified's objects (docs/unified.md §5–§9).

Responses become these records at the boundary; nothing outside `scheduling.unified` sees raw
JSON (each record keeps `raw`, the JSON it came from, for debugging). The same classes are
used to write: `to_api()` emits only the fields that are set, never the read-only ones, the
way Unified's SDK does.

Parsing is forgiving by design: unknown fields are ignored, unknown enum strings are kept as
plain strings (Unified's enums are "open"), and a missing, unparseable or implausible date
(`lib.outside.plausible`: year 1 or 9999 would overflow the first sum made with it) becomes
None rather than an exception, so one odd vendor record never stops a sync or a webhook.
A web address that is not http(s) (`javascript:…` in a candidate's `web_url` or an event's
conference) is dropped here, with the reason logged (`lib.outside.web_url`), so it never
becomes a link.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from ..lib import outside

UTC = dt.UTC

# Application status enum (§5.2), in pipeline order.
APPLICATION_STATUSES = (
    "NEW",
    "REVIEWING",
    "SCREENING",
    "SUBMITTED",
    "FIRST_INTERVIEW",
    "SECOND_INTERVIEW",
    "THIRD_INTERVIEW",
    "BACKGROUND_CHECK",
    "OFFERED",
    "ACCEPTED",
    "HIRED",
    "REJECTED",
    "DECLINED",
    "WITHDRAWN",
)
INTERVIEW_STATUSES = ("SCHEDULED", "AWAITING_FEEDBACK", "COMPLETE", "CANCELED", "NEEDS_SCHEDULING")
EVENT_STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELED")
ATTENDEE_STATUSES = ("ACCEPTED", "REJECTED", "TENTATIVE")
RECOMMENDATIONS = ("DEFINITELY_NO", "NO", "YES", "STRONG_YES")
JOB_STATUSES = ("ARCHIVED", "PENDING", "DRAFT", "OPEN", "CLOSED")


# --- value parsing -------------------------------------------------------------------------


def parse_datetime(value: Any) -> dt.datetime | None:
    """An aware UTC datetime from what Unified sends, or None.

    Accepts `2024-06-03T09:00:00Z`, with milliseconds, with an offset, a date-only string
    (midnight UTC; all-day calendar values are handled by `Event.all_day_dates`), and epoch
    seconds or milliseconds. A naive value is taken as UTC: Unified documents every timestamp
    as UTC ISO-8601, so a naive one is a vendor that forgot the `Z`.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return outside.plausible(dt.datetime.fromtimestamp(seconds, tz=UTC))
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = outside.plausible(parsed)  # `0001-01-01T00:00:00+01:00` is before year 1 in UTC
    return parsed.astimezone(UTC) if parsed else None


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    return outside.date_from(value[:10])


def format_datetime(value: dt.datetime) -> str:
    """The form Unified's SDK writes: `2024-06-03T09:00:00Z` (UTC, whole seconds)."""
    if value.tzinfo is None:
        raise ValueError("Unified needs aware datetimes; got a naive one")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _url(value: Any, what: str) -> str | None:
    """A web address that may become a link (http or https), else None (logged)."""
    return outside.web_url(_str(value), what=what) or None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(s for s in (_str(v) for v in value) if s)


def _str_dict(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _dicts(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _emails(value: Any) -> tuple[str, ...]:
    """Email addresses from `[{"email": …, "type": …}]`, in the order sent."""
    return tuple(e["email"].strip() for e in _dicts(value) if isinstance(e.get("email"), str))


# --- the base record -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Record:
    """Base of every record. Subclasses list `_datetimes` (parsed on read, formatted on write)
    and `_read_only` (never written)."""

    id: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    _datetimes: ClassVar[tuple[str, ...]] = ()
    _read_only: ClassVar[tuple[str, ...]] = ("id", "created_at", "updated_at", "raw")

    @classmethod
    def from_api(cls, data: dict) -> Self:
        raise NotImplementedError

    @classmethod
    def _base(cls, data: dict) -> dict:
        return {
            "id": _str(data.get("id")),
            "created_at": parse_datetime(data.get("created_at")),
            "updated_at": parse_datetime(data.get("updated_at")),
            "raw": data,
        }

    def to_api(self) -> dict:
        """The JSON body for a create or update: set fields only, keys sorted, no nulls."""
        body = {}
        for f in dataclasses.fields(self):
            if f.name in self._read_only:
                continue
            value = getattr(self, f.name)
            if value is None or value == () or value == {}:
                continue
            body[f.name] = _to_json(value)
        return dict(sorted(body.items()))


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Record | Nested):
        return value.to_api()
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class Nested:
    """A nested value object (attendee, conference, question): no id or timestamps."""

    def to_api(self) -> dict:
        return {
            f.name: _to_json(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }


# --- ATS ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Address(Nested):
    """The address object of §5.1 (the parts Convene reads: where a person is)."""

    city: str | None = None
    region: str | None = None
    region_code: str | None = None
    country: str | None = None
    country_code: str | None = None

    @classmethod
    def from_api(cls, data: Any) -> Address | None:
        if not isinstance(data, dict):
            return None
        address = cls(
            city=_str(data.get("city")),
            region=_str(data.get("region")),
            region_code=_str(data.get("region_code")),
            country=_str(data.get("country")),
            country_code=_str(data.get("country_code")),
        )
        return address if address.text else None

    @property
    def text(self) -> str:
        """ "Pune, Maharashtra, India"."""
        parts = (self.city, self.region or self.region_code, self.country or self.country_code)
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True, kw_only=True)
class Candidate(Record):
    """AtsCandidate (§5.1)."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    telephones: tuple[str, ...] = ()
    title: str | None = None
    company_name: str | None = None
    job_ids: tuple[str, ...] = ()
    user_id: str | None = None
    web_url: str | None = None
    address: Address | None = None

    @classmethod
    def from_api(cls, data: dict) -> Candidate:
        phones = tuple(
            t["telephone"] for t in _dicts(data.get("telephones")) if _str(t.get("telephone"))
        )
        return cls(
            **cls._base(data),
            name=_str(data.get("name")),
            first_name=_str(data.get("first_name")),
            last_name=_str(data.get("last_name")),
            emails=_emails(data.get("emails")),
            telephones=phones,
            title=_str(data.get("title")),
            company_name=_str(data.get("company_name")),
            job_ids=_strs(data.get("job_ids")),
            user_id=_str(data.get("user_id")),
            web_url=_url(data.get("web_url"), f"the ATS link of candidate {data.get('id')}"),
            address=Address.from_api(data.get("address")),
        )

    @property
    def display_name(self) -> str:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.name or joined or (self.emails[0] if self.emails else "") or "(no name)"


@dataclass(frozen=True, kw_only=True)
class Application(Record):
    """AtsApplication (§5.2): one candidate in one job's pipeline."""

    candidate_id: str | None = None
    job_id: str | None = None
    status: str | None = None
    original_status: str | None = None
    applied_at: dt.datetime | None = None
    rejected_at: dt.datetime | None = None
    hired_at: dt.datetime | None = None
    rejected_reason: str | None = None
    source: str | None = None
    user_id: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Application:
        return cls(
            **cls._base(data),
            candidate_id=_str(data.get("candidate_id")),
            job_id=_str(data.get("job_id")),
            status=_str(data.get("status")),
            original_status=_str(data.get("original_status")),
            applied_at=parse_datetime(data.get("applied_at")),
            rejected_at=parse_datetime(data.get("rejected_at")),
            hired_at=parse_datetime(data.get("hired_at")),
            rejected_reason=_str(data.get("rejected_reason")),
            source=_str(data.get("source")),
            user_id=_str(data.get("user_id")),
        )


@dataclass(frozen=True, kw_only=True)
class Stage(Record):
    """AtsStatus (§5.3): a pipeline stage, optionally per job."""

    status: str | None = None
    original_status: str | None = None
    description: str | None = None
    job_id: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Stage:
        return cls(
            **cls._base(data),
            status=_str(data.get("status")),
            original_status=_str(data.get("original_status")),
            description=_str(data.get("description")),
            job_id=_str(data.get("job_id")),
        )


@dataclass(frozen=True, kw_only=True)
class Job(Record):
    """AtsJob (§5.4)."""

    name: str | None = None
    status: str | None = None
    description: str | None = None
    remote: bool | None = None
    departments: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    recruiter_ids: tuple[str, ...] = ()
    hiring_manager_ids: tuple[str, ...] = ()
    user_id: str | None = None

    _read_only = (*Record._read_only, "departments", "locations")

    @classmethod
    def from_api(cls, data: dict) -> Job:
        locations = []
        for address in _dicts(data.get("addresses")):
            text = ", ".join(
                p for p in (_str(address.get("city")), _str(address.get("country"))) if p
            )
            if text:
                locations.append(text)
        return cls(
            **cls._base(data),
            name=_str(data.get("name")),
            status=_str(data.get("status")),
            description=_str(data.get("description")),
            remote=_bool(data.get("remote")),
            departments=tuple(
                g["name"] for g in _dicts(data.get("groups")) if _str(g.get("name"))
            ),
            locations=tuple(locations),
            recruiter_ids=_strs(data.get("recruiter_ids")),
            hiring_manager_ids=_strs(data.get("hiring_manager_ids")),
            user_id=_str(data.get("user_id")),
        )


@dataclass(frozen=True, kw_only=True)
class Interview(Record):
    """AtsInterview (§5.5). Interviewers are HRIS employee ids in `user_ids`."""

    application_id: str | None = None
    candidate_id: str | None = None
    job_id: str | None = None
    status: str | None = None
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    user_ids: tuple[str, ...] = ()
    location: str | None = None
    meeting_url: str | None = None
    external_event_xref: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Interview:
        return cls(
            **cls._base(data),
            application_id=_str(data.get("application_id")),
            candidate_id=_str(data.get("candidate_id")),
            job_id=_str(data.get("job_id")),
            status=_str(data.get("status")),
            start_at=parse_datetime(data.get("start_at")),
            end_at=parse_datetime(data.get("end_at")),
            user_ids=_strs(data.get("user_ids")),
            location=_str(data.get("location")),
            meeting_url=_url(
                data.get("meeting_url"), f"the meeting link of ATS interview {data.get('id')}"
            ),
            external_event_xref=_str(data.get("external_event_xref")),
        )


@dataclass(frozen=True, kw_only=True)
class ScorecardQuestion(Nested):
    text: str
    answer: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Scorecard(Record):
    """AtsScorecard (§5.6)."""

    application_id: str | None = None
    candidate_id: str | None = None
    job_id: str | None = None
    interview_id: str | None = None
    interviewer_id: str | None = None
    recommendation: str | None = None
    comment: str | None = None
    questions: tuple[ScorecardQuestion, ...] = ()

    @classmethod
    def from_api(cls, data: dict) -> Scorecard:
        return cls(
            **cls._base(data),
            application_id=_str(data.get("application_id")),
            candidate_id=_str(data.get("candidate_id")),
            job_id=_str(data.get("job_id")),
            interview_id=_str(data.get("interview_id")),
            interviewer_id=_str(data.get("interviewer_id")),
            recommendation=_str(data.get("recommendation")),
            comment=_str(data.get("comment")),
            questions=tuple(
                ScorecardQuestion(
                    text=q["text"],
                    answer=_str(q.get("answer")),
                    description=_str(q.get("description")),
                )
                for q in _dicts(data.get("questions"))
                if _str(q.get("text"))
            ),
        )


@dataclass(frozen=True, kw_only=True)
class Activity(Record):
    """AtsActivity (§5.7): a note on a candidate or application."""

    type: str | None = None
    title: str | None = None
    description: str | None = None
    is_private: bool | None = None
    candidate_id: str | None = None
    application_id: str | None = None
    job_id: str | None = None
    interview_id: str | None = None
    user_ids: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: dict) -> Activity:
        return cls(
            **cls._base(data),
            type=_str(data.get("type")),
            title=_str(data.get("title")),
            description=_str(data.get("description")),
            is_private=_bool(data.get("is_private")),
            candidate_id=_str(data.get("candidate_id")),
            application_id=_str(data.get("application_id")),
            job_id=_str(data.get("job_id")),
            interview_id=_str(data.get("interview_id")),
            user_ids=_strs(data.get("user_ids")),
        )


@dataclass(frozen=True, kw_only=True)
class Employee(Record):
    """HrisEmployee (§6): the people behind every user id in the ATS."""

    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    title: str | None = None
    timezone: str | None = None
    employment_status: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Employee:
        return cls(
            **cls._base(data),
            name=_str(data.get("name")),
            first_name=_str(data.get("first_name")),
            last_name=_str(data.get("last_name")),
            emails=_emails(data.get("emails")),
            title=_str(data.get("title")),
            timezone=_str(data.get("timezone")),
            employment_status=_str(data.get("employment_status")),
        )

    @property
    def display_name(self) -> str:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.name or joined or (self.emails[0] if self.emails else "") or "(no name)"


# --- Calendar -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Calendar(Record):
    """CalendarCalendar (§7.1)."""

    name: str | None = None
    description: str | None = None
    is_primary: bool | None = None
    timezone: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Calendar:
        return cls(
            **cls._base(data),
            name=_str(data.get("name")),
            description=_str(data.get("description")),
            is_primary=_bool(data.get("is_primary")),
            timezone=_str(data.get("timezone")),
        )


@dataclass(frozen=True, kw_only=True)
class Attendee(Nested):
    """CalendarAttendee; `status` is None when the person has not answered."""

    email: str | None = None
    name: str | None = None
    user_id: str | None = None
    required: bool | None = None
    status: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Attendee:
        return cls(
            email=_str(data.get("email")),
            name=_str(data.get("name")),
            user_id=_str(data.get("user_id")),
            required=_bool(data.get("required")),
            status=_str(data.get("status")),
        )


@dataclass(frozen=True, kw_only=True)
class Conference(Nested):
    url: str | None = None
    label: str | None = None
    telephone: str | None = None
    conference_identifier: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Conference:
        return cls(
            url=_url(data.get("url"), "a conference link of a calendar event"),
            label=_str(data.get("label")),
            telephone=_str(data.get("telephone")),
            conference_identifier=_str(data.get("conference_identifier")),
        )


@dataclass(frozen=True, kw_only=True)
class Event(Record):
    """CalendarEvent (§7.2). `start_at`/`end_at` are aware UTC datetimes; for an all-day
    event they are midnight UTC of the dates sent, and `all_day_dates` gives the dates."""

    calendar_id: str | None = None
    subject: str | None = None
    notes: str | None = None
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    timezone: str | None = None
    is_all_day: bool | None = None
    is_free: bool | None = None
    is_private: bool | None = None
    status: str | None = None
    location: str | None = None
    attendees: tuple[Attendee, ...] = ()
    organizer: Attendee | None = None
    has_conference: bool | None = None
    conference: tuple[Conference, ...] = ()
    send_notifications: bool | None = None
    recurring_event_id: str | None = None
    web_url: str | None = None

    _read_only = (*Record._read_only, "web_url", "recurring_event_id")

    @classmethod
    def from_api(cls, data: dict) -> Event:
        organizer = data.get("organizer")
        return cls(
            **cls._base(data),
            calendar_id=_str(data.get("calendar_id")),
            subject=_str(data.get("subject")),
            notes=_str(data.get("notes")),
            start_at=parse_datetime(data.get("start_at")),
            end_at=parse_datetime(data.get("end_at")),
            timezone=_str(data.get("timezone")),
            is_all_day=_bool(data.get("is_all_day")),
            is_free=_bool(data.get("is_free")),
            is_private=_bool(data.get("is_private")),
            status=_str(data.get("status")),
            location=_str(data.get("location")),
            attendees=tuple(Attendee.from_api(a) for a in _dicts(data.get("attendees"))),
            organizer=Attendee.from_api(organizer) if isinstance(organizer, dict) else None,
            has_conference=_bool(data.get("has_conference")),
            conference=tuple(Conference.from_api(c) for c in _dicts(data.get("conference"))),
            send_notifications=_bool(data.get("send_notifications")),
            recurring_event_id=_str(data.get("recurring_event_id")),
            web_url=_url(data.get("web_url"), f"the web link of calendar event {data.get('id')}"),
        )

    @property
    def all_day_dates(self) -> tuple[dt.date, dt.date] | None:
        """(first day, day after the last) for an all-day event, from the dates sent."""
        if not self.is_all_day:
            return None
        start, end = parse_date(self.raw.get("start_at")), parse_date(self.raw.get("end_at"))
        if start is None:
            return None
        return start, max(end or start, start + dt.timedelta(days=1))

    @property
    def is_canceled(self) -> bool:
        return self.status == "CANCELED"


@dataclass(frozen=True, kw_only=True)
class Busy(Record):
    """CalendarBusy (§7.3): one busy block. Both ends are required by Unified."""

    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    description: str | None = None
    timezone: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Busy:
        return cls(
            **cls._base(data),
            start_at=parse_datetime(data.get("start_at")),
            end_at=parse_datetime(data.get("end_at")),
            description=_str(data.get("description")),
            timezone=_str(data.get("timezone")),
        )


# --- Unified management ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Connection(Record):
    """Connection (§8.1): one authorized link between a customer and a vendor."""

    integration_type: str | None = None
    integration_name: str | None = None
    categories: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    external_xref: str | None = None
    environment: str | None = None
    is_paused: bool | None = None
    last_healthy_at: dt.datetime | None = None
    last_unhealthy_at: dt.datetime | None = None

    @classmethod
    def from_api(cls, data: dict) -> Connection:
        return cls(
            **cls._base(data),
            integration_type=_str(data.get("integration_type")),
            integration_name=_str(data.get("integration_name")),
            categories=_strs(data.get("categories")),
            permissions=_strs(data.get("permissions")),
            external_xref=_str(data.get("external_xref")),
            environment=_str(data.get("environment")),
            is_paused=_bool(data.get("is_paused")),
            last_healthy_at=parse_datetime(data.get("last_healthy_at")),
            last_unhealthy_at=parse_datetime(data.get("last_unhealthy_at")),
        )


@dataclass(frozen=True, kw_only=True)
class Integration(Nested):
    """An integration a workspace offers in Connect (`type`, `name`, `categories` required)."""

    type: str
    name: str
    categories: tuple[str, ...] = ()
    logo_url: str | None = None

    @classmethod
    def from_api(cls, data: dict) -> Integration:
        return cls(
            type=_str(data.get("type")) or "",
            name=_str(data.get("name")) or "",
            categories=_strs(data.get("categories")),
            logo_url=_url(data.get("logo_url"), "an integration's logo"),
        )


@dataclass(frozen=True, kw_only=True)
class Webhook(Record):
    """Webhook subscription (§8.2): one (connection, object_type, event) triple."""

    connection_id: str | None = None
    object_type: str | None = None
    event: str | None = None
    hook_url: str | None = None
    webhook_type: str | None = None
    interval: int | None = None
    environment: str | None = None
    is_healthy: bool | None = None
    is_paused: bool | None = None
    # Vendor filters such as {"calendar_id": …}; some vendors refuse a subscription without one.
    # A dict is not hashable, so it stays out of the record's hash.
    filters: dict[str, str] | None = field(default=None, hash=False)

    _read_only = (*Record._read_only, "is_healthy")

    @classmethod
    def from_api(cls, data: dict) -> Webhook:
        return cls(
            **cls._base(data),
            connection_id=_str(data.get("connection_id")),
            object_type=_str(data.get("object_type")),
            event=_str(data.get("event")),
            hook_url=_str(data.get("hook_url")),
            webhook_type=_str(data.get("webhook_type")),
            interval=_int(data.get("interval")),
            environment=_str(data.get("environment")),
            is_healthy=_bool(data.get("is_healthy")),
            is_paused=_bool(data.get("is_paused")),
            filters=_str_dict(data.get("filters")),
        )


# The record class for each webhook `object_type` Convene subscribes to.
RECORD_FOR_OBJECT_TYPE: dict[str, type[Record]] = {
    "ats_candidate": Candidate,
    "ats_application": Application,
    "ats_applicationstatus": Stage,
    "ats_job": Job,
    "ats_interview": Interview,
    "ats_scorecard": Scorecard,
    "ats_activity": Activity,
    "hris_employee": Employee,
    "calendar_calendar": Calendar,
    "calendar_event": Event,
    "calendar_busy": Busy,
}


@dataclass(frozen=True, kw_only=True)
class WebhookDelivery:
    """One verified delivery (§9): the subscription, the changed records, its nonce and the
    signature that was checked (together they identify the delivery: Unified sends no id)."""

    webhook: Webhook
    records: tuple[Record, ...]
    nonce: str
    signature: str | None = None
    type: str | None = None
    external_xref: str | None = None

    @property
    def connection_id(self) -> str | None:
        return self.webhook.connection_id

    @property
    def object_type(self) -> str | None:
        return self.webhook.object_type

    @property
    def event(self) -> str | None:
        return self.webhook.event

"""The reports: how fast the team schedules, who carries the interviews, why interviews move,
how feedback comes in, and how candidates use their booking links.

Every figure is aggregated in the database, one query per chart, over indexed columns; the
SQL is written here once for SQLite and PostgreSQL alike (`_Sql` holds the few differences:
local dates in a zone, seconds between two instants, a JSON key, a UUID as text). Load comes
from `scheduling.load`, the one home of what an interviewer sits in.

Definitions (the page says them in words too):

- Time to schedule: for each interview Convene booked in the period, from the moment the
  application entered the stage it is for (`Interview.stage_entered_at`) to the booking;
  and for each booking link booked in the period, from the moment it was sent. Median and
  90th percentile (linear interpolation between ranks), per week of the booking (Monday to
  Sunday in the viewer's zone) and over the period.
- Interviewer load: every seat starting in the period (`scheduling.load`), per person: in
  all, per week on average (seats ÷ the period's length in weeks), in their busiest week
  (their own ISO week). The busiest 30% are the ceil(30%) people with most seats among
  those who sat in at least one. Over their caps: local days with more interviews than the
  person's daily limit, local weeks with more than the weekly one, counting all of their
  interviews whatever the filters.
- Changes: reschedules (the interview's times changed, by the recruiter, the candidate, or
  in a calendar or the ATS) and cancellations in the period, by who asked and the reason
  given; declines of calendar invitations per interviewer, for sessions in the period.
- Feedback: requests due in the period (and due by now), per interviewer: on time
  (submitted by the due time), late, still missing; median lateness of the late ones.
- Self-scheduling: links sent in the period: how many were opened, booked, expired unused
  or withdrawn.
"""

import dataclasses
import datetime as dt
import functools
import math
import re

from django.db import connection, models
from django.db.models import Q

from scheduling import load
from scheduling.lib import zones
from scheduling.models import (
    AuditEntry,
    FeedbackRequest,
    Interview,
    Interviewer,
    InterviewSession,
    SessionAttendee,
)

from .models import Application, BookingLink, Job, RemoteInterview

# Who asked for a change (booking.By values), in words.
WHO = {
    "recruiter": "Recruiter",
    "candidate": "Candidate",
    "calendar": "Interviewer, in their calendar",
    "ats": "Someone, in the ATS",
    "demo": "Demo",
    "": "Convene (automatically)",
}
RESCHEDULED = ("interview.rescheduled", "interview.moved_elsewhere")
BUSIEST_SHARE = 0.3


# --- SQL that differs between SQLite and PostgreSQL ---------------------------------------------


_ZONE_NAME = re.compile(r"[A-Za-z0-9_+\-/]+")


@functools.lru_cache(maxsize=256)
def _offsets(zone_name, start, end):
    """[(from instant, UTC offset in seconds)] of a zone over [start, end): its offset from
    `start` on, and each change (found by sampling every six hours, then to the second)."""
    zone = zones.zone(zone_name)

    def offset(at):
        return int(at.astimezone(zone).utcoffset().total_seconds())

    found = [(start, offset(start))]
    at = start
    while at < end:
        then = min(at + dt.timedelta(hours=6), end)
        if offset(then) != found[-1][1]:
            low, high = at, then
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == found[-1][1] else (low, middle)
            found.append((high.replace(microsecond=0) + dt.timedelta(seconds=1), offset(then)))
        at = then
    return tuple(found)


class _Sql:
    """The few SQL expressions that differ between SQLite and PostgreSQL, and local dates.

    A local date is the instant plus its zone's UTC offset then: the offsets of the zones
    asked for over the period (and a margin) are written into the query as a CASE, so both
    databases work it out with built-in arithmetic, and an unknown zone counts as UTC, as
    `scheduling.lib.zones` has it. Zone names and instants go in as literals: names are
    checked against the tz database (and a strict pattern), instants are formatted here."""

    def __init__(self, scope, zone_names=()):
        self.postgres = connection.vendor == "postgresql"
        self.start = scope.start.astimezone(dt.UTC) - dt.timedelta(days=2)
        self.end = scope.end.astimezone(dt.UTC) + dt.timedelta(days=2)
        self.zone_names = sorted(
            {z for z in zone_names if zones.is_zone(z) and _ZONE_NAME.fullmatch(z)}
        )

    def _instant(self, value):
        text = value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        return f"TIMESTAMPTZ '{text}+00'" if self.postgres else f"'{text}'"

    def _offset_of(self, instant, zone_name):
        steps = _offsets(zone_name, self.start, self.end)
        if len(steps) == 1:
            return str(steps[0][1])
        cases = " ".join(
            f"WHEN {instant} < {self._instant(at)} THEN {before}"
            for (at, _o), (_a, before) in zip(steps[1:], steps, strict=False)
        )
        return f"(CASE {cases} ELSE {steps[-1][1]} END)"

    def offset(self, instant, zone=None, zone_name=None):
        """The UTC offset in seconds at `instant` in the zone named by the SQL `zone` (one of
        `zone_names`) or by the Python string `zone_name`."""
        if zone_name is not None:
            return self._offset_of(instant, zones.name_or(zone_name))
        cases = " ".join(
            f"WHEN '{name}' THEN {self._offset_of(instant, name)}" for name in self.zone_names
        )
        return f"(CASE {zone} {cases} ELSE 0 END)" if cases else "0"

    def day_number(self, instant, zone=None, zone_name=None):
        """The local date as a whole number of days since 1970-01-01 (cheaper to group by
        than a date; 1970-01-01 was a Thursday, so Monday is (n + 3) % 7 == 0)."""
        offset = self.offset(instant, zone, zone_name)
        if self.postgres:
            return f"FLOOR((EXTRACT(EPOCH FROM {instant}) + {offset}) / 86400)::int"
        # Seconds since the epoch, rounded (julianday is a float), then whole days.
        seconds = f"(julianday({instant}) - 2440587.5) * 86400 + {offset} + 0.5"
        return f"(CAST({seconds} AS INTEGER) / 86400)"

    def local_date(self, instant, zone=None, zone_name=None):
        offset = self.offset(instant, zone, zone_name)
        if self.postgres:
            return f"(({instant}) + ({offset}) * INTERVAL '1 second')::date"
        return f"date({instant}, ({offset}) || ' seconds')"

    def monday(self, day):
        """The Monday of the ISO week of the date `day`."""
        if self.postgres:
            return f"(({day}) - (EXTRACT(ISODOW FROM ({day}))::int - 1))"
        # (%% for a literal %: the query goes through the driver's parameter formatting.)
        weekday = f"((CAST(strftime('%%w', {day}) AS INTEGER) + 6) %% 7)"
        return f"date({day}, '-' || {weekday} || ' days')"

    def local_week(self, instant, zone=None, zone_name=None):
        return self.monday(self.local_date(instant, zone, zone_name))

    def seconds(self, later, earlier):
        if self.postgres:
            return f"EXTRACT(EPOCH FROM ({later}) - ({earlier}))"
        return f"((julianday({later}) - julianday({earlier})) * 86400.0)"

    def json_text(self, column, key):
        if self.postgres:
            return f"({column} ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def uuid_text(self, column):
        """A UUID column as text with dashes (how `str(uuid)` writes it)."""
        if self.postgres:
            return f"({column})::text"
        parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        return "(" + " || '-' || ".join(f"substr({column}, {a}, {n})" for a, n in parts) + ")"


def _id(value):
    """A UUID from the database (a UUID, or 32 hex digits on SQLite) as `str(uuid)` writes
    it, without building a UUID for each of thousands of rows."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _t(model):
    return model._meta.db_table


def _uuid(value):
    return models.UUIDField().get_db_prep_value(value, connection)


def _instant(value):
    return connection.ops.adapt_datetimefield_value(value)


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _run(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- what the page asks for -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Scope:
    """One report's question: a tenant, a period [start, end) shown in `zone`, and the
    filters (a Job, a recruiter Interviewer, an InterviewPlan, or None)."""

    tenant: object
    first_day: dt.date
    last_day: dt.date
    zone: str
    now: dt.datetime
    job: object = None
    recruiter: object = None
    plan: object = None

    @property
    def start(self):
        return dt.datetime.combine(self.first_day, dt.time(), zones.zone(self.zone))

    @property
    def end(self):
        return dt.datetime.combine(
            self.last_day + dt.timedelta(days=1), dt.time(), zones.zone(self.zone)
        )

    @property
    def weeks(self):
        """The period's length in weeks (for "per week on average")."""
        return ((self.last_day - self.first_day).days + 1) / 7

    @property
    def mondays(self):
        monday = self.first_day - dt.timedelta(days=self.first_day.weekday())
        found = []
        while monday <= self.last_day:
            found.append(monday)
            monday += dt.timedelta(days=7)
        return found

    @functools.cached_property
    def job_ids(self):
        """The jobs the filters allow, or None for every job (one small query, so that
        each query below compares job ids rather than looking up recruiters per row)."""
        if self.job is None and self.recruiter is None:
            return None
        jobs = Job.objects.filter(tenant=self.tenant)
        if self.job is not None:
            jobs = jobs.filter(pk=self.job.pk)
        if self.recruiter is not None:
            jobs = jobs.filter(recruiters=self.recruiter)
        return list(jobs.values_list("pk", flat=True))

    def application_filter(self, column):
        """SQL (and params) narrowing rows whose application id is `column` to the jobs the
        filters allow: an IN over a small list the database works out once."""
        if self.job_ids is None:
            return "", []
        if not self.job_ids:
            return " AND 1 = 0", []
        marks = ", ".join(["%s"] * len(self.job_ids))
        sql = (
            f" AND {column} IN (SELECT fa.id FROM {_t(Application)} fa "
            f"WHERE fa.tenant_id = %s AND fa.job_id IN ({marks}))"
        )
        return sql, [_uuid(self.tenant.pk), *(_uuid(pk) for pk in self.job_ids)]

    def plan_filter(self, column):
        if self.plan is None:
            return "", []
        return f" AND {column} = %s", [_uuid(self.plan.pk)]


# --- percentiles --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Spread:
    """How long something took, in seconds: how many, the median and the 90th percentile."""

    count: int
    median: float | None
    p90: float | None


def _percentile(values, n, p):
    """The p-th percentile (linear between ranks) from {rank: value} holding the ranks
    around it, out of n sorted values."""
    position = (n - 1) * p
    low = 1 + math.floor(position)
    fraction = position - math.floor(position)
    if fraction == 0:
        return values[low]
    return values[low] + fraction * (values[low + 1] - values[low])


def _spreads(base_sql, params):
    """{week (date) or None for the whole period: Spread} from `base_sql`, which selects
    `week` and `secs` rows. Only the rows at the ranks the median and the 90th percentile
    need come back from the database (window functions), not every value."""
    sql = f"""
    SELECT week, secs, rn, n, rn_all, n_all FROM (
      SELECT week, secs,
        ROW_NUMBER() OVER (PARTITION BY week ORDER BY secs) AS rn,
        COUNT(*) OVER (PARTITION BY week) AS n,
        ROW_NUMBER() OVER (ORDER BY secs, week) AS rn_all,
        COUNT(*) OVER () AS n_all
      FROM ({base_sql}) base
    ) ranked
    WHERE rn IN (1 + (n - 1) / 2, 2 + (n - 1) / 2, 1 + (9 * (n - 1)) / 10, 2 + (9 * (n - 1)) / 10)
       OR rn_all IN (1 + (n_all - 1) / 2, 2 + (n_all - 1) / 2,
                     1 + (9 * (n_all - 1)) / 10, 2 + (9 * (n_all - 1)) / 10)
    """
    weeks, overall, counts = {}, {}, {}
    total = 0
    for week, secs, rn, n, rn_all, n_all in _run(sql, params):
        week = _date(week)
        weeks.setdefault(week, {})[rn] = float(secs)
        counts[week] = n
        overall[rn_all] = float(secs)
        total = n_all
    spreads = {}
    for week, ranks in weeks.items():
        n = counts[week]
        spreads[week] = Spread(
            n, _percentile(ranks, n, 0.5) if n else None, _percentile(ranks, n, 0.9)
        )
    spreads[None] = (
        Spread(total, _percentile(overall, total, 0.5), _percentile(overall, total, 0.9))
        if total
        else Spread(0, None, None)
    )
    return spreads


# --- the charts ---------------------------------------------------------------------------------


def stage_to_booked(scope):
    """{week or None: Spread} of interviews booked in the period: stage entered → booked."""
    q = _Sql(scope)
    interview = _t(Interview)
    apps, app_params = scope.application_filter("i.application_id")
    plans, plan_params = scope.plan_filter("i.plan_id")
    base = f"""
      SELECT {q.local_week("i.created_at", zone_name=scope.zone)} AS week,
             {q.seconds("i.created_at", "i.stage_entered_at")} AS secs
      FROM {interview} i
      WHERE i.tenant_id = %s AND i.created_at >= %s AND i.created_at < %s
        AND i.stage_entered_at IS NOT NULL AND i.stage_entered_at <= i.created_at{apps}{plans}
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    return _spreads(base, params)


def link_to_booked(scope):
    """{week or None: Spread} of booking links booked in the period: sent → booked."""
    q = _Sql(scope)
    link = _t(BookingLink)
    apps, app_params = scope.application_filter("l.application_id")
    plans, plan_params = scope.plan_filter("l.plan_id")
    base = f"""
      SELECT {q.local_week("l.booked_at", zone_name=scope.zone)} AS week,
             {q.seconds("l.booked_at", "l.sent_at")} AS secs
      FROM {link} l
      WHERE l.tenant_id = %s AND l.booked_at >= %s AND l.booked_at < %s
        AND l.sent_at IS NOT NULL AND l.sent_at <= l.booked_at{apps}{plans}
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    return _spreads(base, params)


def _seats_sql(scope):
    """(sql, params) of every seat starting in the period (scheduling.load), each with
    `counted` 1 when it meets the filters (over the limits counts them all)."""
    convene = load.convene_seats(scope.tenant, start=scope.start, end=scope.end, starting=True)
    ats = load.ats_seats(scope.tenant, start=scope.start, end=scope.end, starting=True)
    if scope.job is None and scope.recruiter is None and scope.plan is None:
        return load.union(convene, ats)
    # Whether a seat meets the filters, through its interview's (or ATS interview's)
    # application: an IN over a small subquery, which the database works out once.
    interviews = Interview.objects.filter(
        tenant=scope.tenant,
        start_at__gte=scope.start - dt.timedelta(days=1),
        start_at__lt=scope.end + dt.timedelta(days=1),
    )
    applications = Application.objects.filter(tenant=scope.tenant)
    if scope.job_ids is not None:
        interviews = interviews.filter(application__job_id__in=scope.job_ids)
        applications = applications.filter(job_id__in=scope.job_ids)
    if scope.plan is not None:
        interviews = interviews.filter(plan=scope.plan)
    sessions = InterviewSession.objects.filter(interview__in=interviews.values("id"))
    mine = Q(session_id__in=sessions.values("id"))
    # Only Convene's interviews have a plan.
    remote = RemoteInterview.objects.filter(
        tenant=scope.tenant,
        application_id__in=applications.values("id"),
        start_at__lt=scope.end + dt.timedelta(days=1),
    )
    theirs = False if scope.plan is not None else Q(remote_interview_id__in=remote.values("id"))
    return load.union(convene, ats, counted=(mine, theirs))


@dataclasses.dataclass
class PersonLoad:
    interviewer_id: str
    name: str
    seats: int
    from_ats: int
    busiest_week: int
    per_week: float


@dataclasses.dataclass
class OverCap:
    interviewer_id: str
    name: str
    days_over: int
    weeks_over: int
    daily_cap: int | None
    weekly_cap: int | None


def load_and_caps(scope):
    """([PersonLoad] most seats first, [OverCap] most over first), in one query: seats per
    person per local day (their zone), then per ISO week; the load counts the seats that
    meet the filters, the limits count them all."""
    person = _t(Interviewer)
    q = _Sql(
        scope,
        Interviewer.objects.filter(tenant=scope.tenant)
        .values_list("timezone", flat=True)
        .distinct(),
    )
    seats, params = _seats_sql(scope)
    sql = f"""
      WITH days AS (
        SELECT d.pid, d.day, COUNT(*) AS every, SUM(d.counted) AS c,
               SUM(CASE WHEN d.source = %s THEN d.counted ELSE 0 END) AS a
        FROM (
          SELECT s.interviewer_id AS pid, s.source, s.counted,
                 {q.day_number("s.start_at", zone="s.zone")} AS day
          FROM ({seats}) s
        ) d
        GROUP BY d.pid, d.day
      ), weeks AS (
        SELECT pid, day - (day + 3) %% 7 AS week, SUM(every) AS every, SUM(c) AS c,
               SUM(a) AS a
        FROM days GROUP BY pid, day - (day + 3) %% 7
      ), over_days AS (
        SELECT d.pid, COUNT(*) AS n FROM days d JOIN {person} p ON p.id = d.pid
        WHERE d.every > p.max_interviews_per_day GROUP BY d.pid
      )
      SELECT w.pid, p.name, p.max_interviews_per_day, p.max_interviews_per_week,
             SUM(w.c), SUM(w.a), MAX(w.c),
             SUM(CASE WHEN w.every > p.max_interviews_per_week THEN 1 ELSE 0 END),
             COALESCE(MAX(o.n), 0)
      FROM weeks w JOIN {person} p ON p.id = w.pid LEFT JOIN over_days o ON o.pid = w.pid
      GROUP BY w.pid, p.name, p.max_interviews_per_day, p.max_interviews_per_week
    """
    people, over = [], []
    for pid, name, daily, weekly, total, ats, busiest, weeks_over, days_over in _run(
        sql, [load.ATS, *params]
    ):
        pid = _id(pid)
        if total:
            people.append(
                PersonLoad(pid, name, int(total), int(ats), int(busiest), int(total) / scope.weeks)
            )
        if days_over or weeks_over:
            over.append(OverCap(pid, name, int(days_over), int(weeks_over), daily, weekly))
    people.sort(key=lambda p: (-p.seats, p.name, p.interviewer_id))
    over.sort(key=lambda o: (-(o.days_over + o.weeks_over), o.name))
    return people, over


def busiest_share(people):
    """(how many people are the busiest 30%, the share of seats they carry) or (0, None)."""
    total = sum(p.seats for p in people)
    if not total:
        return 0, None
    top = math.ceil(len(people) * BUSIEST_SHARE)
    return top, sum(p.seats for p in people[:top]) / total


@dataclasses.dataclass
class Change:
    kind: str  # "reschedule" or "cancel"
    by: str
    reason: str
    count: int

    @property
    def who(self):
        return WHO.get(self.by, self.by.title())


def _interview_scope_sql(scope, column, q):
    """SQL narrowing rows about interview `column` (a UUID as text) to the filters."""
    if scope.job is None and scope.recruiter is None and scope.plan is None:
        return "", []
    apps, app_params = scope.application_filter("i.application_id")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = (
        f" AND {column} IN (SELECT {q.uuid_text('i.id')} FROM {_t(Interview)} i "
        f"WHERE i.tenant_id = %s{apps}{plans})"
    )
    return sql, [_uuid(scope.tenant.pk), *app_params, *plan_params]


def reschedules(scope):
    """[Change] of the interviews' times changed in the period, by who and why; one query.
    Who: the `by` the change recorded (older entries: a signed-in person is the recruiter,
    "Candidate" the candidate, the rest a calendar or the ATS)."""
    q = _Sql(scope)
    by = q.json_text("e.data", "by")
    who = (
        f"COALESCE({by}, CASE WHEN e.actor_id IS NOT NULL THEN 'recruiter' "
        "WHEN e.actor_label = 'Candidate' THEN 'candidate' ELSE 'calendar' END)"
    )
    reason = f"COALESCE({q.json_text('e.data', 'reason')}, '')"
    narrow, narrow_params = _interview_scope_sql(scope, "e.object_id", q)
    sql = f"""
      SELECT {who}, {reason}, COUNT(*) FROM {_t(AuditEntry)} e
      WHERE e.tenant_id = %s AND e.action IN (%s, %s) AND e.created_at >= %s
        AND e.created_at < %s{narrow}
      GROUP BY {who}, {reason}
    """
    params = [
        _uuid(scope.tenant.pk),
        *RESCHEDULED,
        _instant(scope.start),
        _instant(scope.end),
        *narrow_params,
    ]
    found = [Change("reschedule", b or "", r or "", int(n)) for b, r, n in _run(sql, params)]
    found.sort(key=lambda c: (-c.count, c.by, c.reason))
    return found


def cancellations(scope):
    """[Change] of the interviews canceled in the period, by who and why; one query."""
    apps, app_params = scope.application_filter("i.application_id")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      SELECT i.canceled_by, i.cancel_reason, COUNT(*)
      FROM {_t(Interview)} i
      WHERE i.tenant_id = %s AND i.canceled_at >= %s AND i.canceled_at < %s{apps}{plans}
      GROUP BY i.canceled_by, i.cancel_reason
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    found = [Change("cancel", b or "", (r or "").strip(), int(n)) for b, r, n in _run(sql, params)]
    found.sort(key=lambda c: (-c.count, c.by, c.reason))
    return found


def by_who(changes):
    """[(who key, who in words, count)] most first."""
    totals = {}
    for change in changes:
        totals[change.by] = totals.get(change.by, 0) + change.count
    return sorted(
        ((by, WHO.get(by, by.title()), n) for by, n in totals.items()), key=lambda t: (-t[2], t[1])
    )


@dataclasses.dataclass
class PersonCount:
    interviewer_id: str
    name: str
    count: int


def declines(scope):
    """[PersonCount] of calendar invitations declined, per interviewer, for sessions in the
    period; one query. (The answer is written into the SQL, a code constant, so that the
    database can use its index of declines alone.)"""
    apps, app_params = scope.application_filter("i.application_id")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      SELECT p.id, p.name, COUNT(*)
      FROM {_t(SessionAttendee)} sa
        JOIN {_t(InterviewSession)} s ON s.id = sa.session_id
        JOIN {_t(Interview)} i ON i.id = s.interview_id
        JOIN {_t(Interviewer)} p ON p.id = sa.interviewer_id
      WHERE i.tenant_id = %s AND sa.response = '{SessionAttendee.Response.DECLINED}'
        AND s.start_at >= %s AND s.start_at < %s{apps}{plans}
      GROUP BY p.id, p.name
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    found = [PersonCount(_id(pid), name, int(n)) for pid, name, n in _run(sql, params)]
    found.sort(key=lambda p: (-p.count, p.name))
    return found


@dataclasses.dataclass
class PersonFeedback:
    interviewer_id: str
    name: str
    due: int
    on_time: int
    late: int
    missing: int
    median_late: float | None = None  # seconds

    @property
    def on_time_rate(self):
        return self.on_time / self.due if self.due else None


ON_TIME, LATE, MISSING = 0, 1, 2


def feedback(scope):
    """[PersonFeedback], least on time first, in one query: each request due in the period
    is on time, late or missing, counted per person; the late ones are ranked (a window
    function), so only the ranks around each median come back."""
    q = _Sql(scope)
    apps, app_params = scope.application_filter("i.application_id")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      WITH base AS (
        SELECT f.interviewer_id AS pid,
          CASE WHEN f.submitted_at IS NULL THEN {MISSING}
               WHEN f.submitted_at <= f.due_at THEN {ON_TIME} ELSE {LATE} END AS state,
          {q.seconds("f.submitted_at", "f.due_at")} AS secs
        FROM {_t(FeedbackRequest)} f
          JOIN {_t(Interview)} i ON i.id = f.interview_id
        WHERE f.tenant_id = %s AND f.due_at >= %s AND f.due_at < %s AND f.due_at <= %s
          AND i.status = %s AND f.status <> %s{apps}{plans}
      ), counts AS (
        SELECT pid, COUNT(*) AS due,
          SUM(CASE WHEN state = {ON_TIME} THEN 1 ELSE 0 END) AS on_time,
          SUM(CASE WHEN state = {LATE} THEN 1 ELSE 0 END) AS late
        FROM base GROUP BY pid
      ), late AS (
        SELECT pid, secs, ROW_NUMBER() OVER (PARTITION BY pid ORDER BY secs) AS rn,
          COUNT(*) OVER (PARTITION BY pid) AS n
        FROM base WHERE state = {LATE}
      )
      SELECT c.pid, p.name, c.due, c.on_time, c.late, l.secs, l.rn
      FROM counts c JOIN {_t(Interviewer)} p ON p.id = c.pid
        LEFT JOIN late l ON l.pid = c.pid AND l.rn IN (1 + (l.n - 1) / 2, 2 + (l.n - 1) / 2)
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        _instant(scope.now),
        Interview.Status.SCHEDULED,
        FeedbackRequest.Status.WITHDRAWN,  # nobody owes feedback on what they missed
        *app_params,
        *plan_params,
    ]
    people, late_ranks = {}, {}
    for pid, name, due, on_time, late, secs, rn in _run(sql, params):
        pid = _id(pid)
        if pid not in people:
            due, on_time, late = int(due), int(on_time), int(late)
            people[pid] = PersonFeedback(pid, name, due, on_time, late, due - on_time - late)
        if rn is not None:
            late_ranks.setdefault(pid, {})[rn] = float(secs)
    for pid, ranks in late_ranks.items():
        people[pid].median_late = _percentile(ranks, people[pid].late, 0.5)
    found = list(people.values())
    found.sort(key=lambda p: (p.on_time_rate, -p.due, p.name))
    return found


@dataclasses.dataclass(frozen=True)
class Funnel:
    sent: int
    opened: int
    booked: int
    expired: int
    revoked: int


def funnel(scope):
    """Funnel of the booking links sent in the period; one query."""
    apps, app_params = scope.application_filter("l.application_id")
    plans, plan_params = scope.plan_filter("l.plan_id")
    sql = f"""
      SELECT COUNT(*),
        SUM(CASE WHEN l.first_opened_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NULL AND l.state = %s AND l.expires_at <= %s
            THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NULL AND l.state = %s THEN 1 ELSE 0 END)
      FROM {_t(BookingLink)} l
      WHERE l.tenant_id = %s AND l.sent_at >= %s AND l.sent_at < %s{apps}{plans}
    """
    params = [
        BookingLink.State.OPEN,
        _instant(scope.now),
        BookingLink.State.REVOKED,
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    (row,) = _run(sql, params)
    return Funnel(*(int(v or 0) for v in row))

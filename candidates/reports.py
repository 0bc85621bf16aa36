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

from django.db import connection, models

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

from .models import Application, BookingLink, Job

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


@functools.lru_cache(maxsize=200_000)
def _local_day(minute, zone_name):
    at = dt.datetime.fromisoformat(minute).replace(tzinfo=dt.UTC)
    return at.astimezone(zones.zone(zone_name)).date()


def _sqlite_local_date(value, zone_name):
    if value is None:
        return None
    return _local_day(value[:16], zone_name or "UTC").isoformat()


def _sqlite_local_week(value, zone_name):
    if value is None:
        return None
    day = _local_day(value[:16], zone_name or "UTC")
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def install_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` receiver: the local date, and the Monday of the local ISO week,
    of a stored UTC instant in a zone, which SQLite cannot work out by itself."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("convene_local_date", 2, _sqlite_local_date, deterministic=True)
    raw.create_function("convene_local_week", 2, _sqlite_local_week, deterministic=True)


class _Sql:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def local_date(self, instant, zone):
        if self.postgres:
            return f"(({instant}) AT TIME ZONE ({zone}))::date"
        return f"convene_local_date({instant}, {zone})"

    def local_week(self, instant, zone):
        """The Monday of the ISO week the instant falls in, on the zone's clock."""
        if self.postgres:
            return f"(date_trunc('week', ({instant}) AT TIME ZONE ({zone})))::date"
        return f"convene_local_week({instant}, {zone})"

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

    def application_filter(self, alias):
        """SQL (and params) narrowing rows whose application is `alias`.id to the job and
        recruiter asked for."""
        sql, params = [], []
        if self.job is not None:
            sql.append(f"{alias}.job_id = %s")
            params.append(_uuid(self.job.pk))
        if self.recruiter is not None:
            through = _t(Job.recruiters.through)
            sql.append(
                f"EXISTS (SELECT 1 FROM {through} jr WHERE jr.job_id = {alias}.job_id "
                "AND jr.interviewer_id = %s)"
            )
            params.append(_uuid(self.recruiter.pk))
        return "".join(f" AND {s}" for s in sql), params

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
    q = _Sql()
    interview, application = _t(Interview), _t(Application)
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("i.plan_id")
    base = f"""
      SELECT {q.local_week("i.created_at", "%s")} AS week,
             {q.seconds("i.created_at", "i.stage_entered_at")} AS secs
      FROM {interview} i JOIN {application} a ON a.id = i.application_id
      WHERE i.tenant_id = %s AND i.created_at >= %s AND i.created_at < %s
        AND i.stage_entered_at IS NOT NULL AND i.stage_entered_at <= i.created_at{apps}{plans}
    """
    params = [
        scope.zone,
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    return _spreads(base, params)


def link_to_booked(scope):
    """{week or None: Spread} of booking links booked in the period: sent → booked."""
    q = _Sql()
    link, application = _t(BookingLink), _t(Application)
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("l.plan_id")
    base = f"""
      SELECT {q.local_week("l.booked_at", "%s")} AS week,
             {q.seconds("l.booked_at", "l.sent_at")} AS secs
      FROM {link} l JOIN {application} a ON a.id = l.application_id
      WHERE l.tenant_id = %s AND l.booked_at >= %s AND l.booked_at < %s
        AND l.sent_at IS NOT NULL AND l.sent_at <= l.booked_at{apps}{plans}
    """
    params = [
        scope.zone,
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    return _spreads(base, params)


def _seats_sql(scope, *, filtered=True):
    """(sql, params) of every seat starting in the period (scheduling.load), narrowed to
    the filters unless `filtered` is False."""
    convene = load.convene_seats(scope.tenant, start=scope.start, end=scope.end).filter(
        start_at__gte=scope.start
    )
    ats = load.ats_seats(scope.tenant, start=scope.start, end=scope.end).filter(
        start_at__gte=scope.start
    )
    if filtered:
        if scope.job is not None:
            convene = convene.filter(session__interview__application__job=scope.job)
            ats = ats.filter(remote_interview__application__job=scope.job)
        if scope.recruiter is not None:
            convene = convene.filter(
                session__interview__application__job__recruiters=scope.recruiter
            )
            ats = ats.filter(remote_interview__application__job__recruiters=scope.recruiter)
        if scope.plan is not None:
            convene = convene.filter(session__interview__plan=scope.plan)
            ats = ats.none()
    return load.union(convene, ats)


@dataclasses.dataclass
class PersonLoad:
    interviewer_id: str
    name: str
    seats: int
    from_ats: int
    busiest_week: int
    per_week: float


def interviewer_load(scope):
    """[PersonLoad], most seats first (then by name): one query."""
    q = _Sql()
    seats, params = _seats_sql(scope)
    person = _t(Interviewer)
    sql = f"""
      SELECT w.interviewer_id, p.name, SUM(w.c), SUM(w.a), MAX(w.c)
      FROM (
        SELECT s.interviewer_id, {q.local_week("s.start_at", "s.zone")} AS week,
               COUNT(*) AS c, SUM(CASE WHEN s.source = %s THEN 1 ELSE 0 END) AS a
        FROM ({seats}) s
        GROUP BY s.interviewer_id, {q.local_week("s.start_at", "s.zone")}
      ) w JOIN {person} p ON p.id = w.interviewer_id
      GROUP BY w.interviewer_id, p.name
    """
    rows = _run(sql, [load.ATS, *params])
    people = [
        PersonLoad(
            str(Interviewer._meta.pk.to_python(pid)),
            name,
            int(total),
            int(ats),
            int(busiest),
            int(total) / scope.weeks,
        )
        for pid, name, total, ats, busiest in rows
    ]
    people.sort(key=lambda p: (-p.seats, p.name, p.interviewer_id))
    return people


def busiest_share(people):
    """(how many people are the busiest 30%, the share of seats they carry) or (0, None)."""
    total = sum(p.seats for p in people)
    if not total:
        return 0, None
    top = math.ceil(len(people) * BUSIEST_SHARE)
    return top, sum(p.seats for p in people[:top]) / total


@dataclasses.dataclass
class OverCap:
    interviewer_id: str
    name: str
    days_over: int
    weeks_over: int
    daily_cap: int | None
    weekly_cap: int | None


def over_caps(scope):
    """[OverCap] of the people who had more interviews than a limit allows on some local
    day or in some local week of the period, counting all their interviews; one query."""
    q = _Sql()
    seats, params = _seats_sql(scope, filtered=False)
    person = _t(Interviewer)
    day, week = q.local_date("s.start_at", "s.zone"), q.local_week("s.start_at", "s.zone")
    sql = f"""
      SELECT s.interviewer_id, 'day' AS kind, {day} AS period, COUNT(*)
      FROM ({seats}) s JOIN {person} p ON p.id = s.interviewer_id
      WHERE p.max_interviews_per_day IS NOT NULL
      GROUP BY s.interviewer_id, {day}, p.max_interviews_per_day
      HAVING COUNT(*) > p.max_interviews_per_day
      UNION ALL
      SELECT s.interviewer_id, 'week' AS kind, {week} AS period, COUNT(*)
      FROM ({seats}) s JOIN {person} p ON p.id = s.interviewer_id
      WHERE p.max_interviews_per_week IS NOT NULL
      GROUP BY s.interviewer_id, {week}, p.max_interviews_per_week
      HAVING COUNT(*) > p.max_interviews_per_week
    """
    over = {}
    for pid, kind, _period, _count in _run(sql, [*params, *params]):
        days, weeks = over.get(str(Interviewer._meta.pk.to_python(pid)), (0, 0))
        over[str(Interviewer._meta.pk.to_python(pid))] = (
            days + (kind == "day"),
            weeks + (kind == "week"),
        )
    people = Interviewer.objects.filter(tenant=scope.tenant, pk__in=list(over)).only(
        "id", "name", "max_interviews_per_day", "max_interviews_per_week"
    )
    found = [
        OverCap(
            str(p.pk),
            p.name,
            *over[str(p.pk)],
            p.max_interviews_per_day,
            p.max_interviews_per_week,
        )
        for p in people
    ]
    found.sort(key=lambda o: (-(o.days_over + o.weeks_over), o.name))
    return found


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
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = (
        f" AND {column} IN (SELECT {q.uuid_text('i.id')} FROM {_t(Interview)} i "
        f"JOIN {_t(Application)} a ON a.id = i.application_id "
        f"WHERE i.tenant_id = %s{apps}{plans})"
    )
    return sql, [_uuid(scope.tenant.pk), *app_params, *plan_params]


def reschedules(scope):
    """[Change] of the interviews' times changed in the period, by who and why; one query.
    Who: the `by` the change recorded (older entries: a signed-in person is the recruiter,
    "Candidate" the candidate, the rest a calendar or the ATS)."""
    q = _Sql()
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
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      SELECT i.canceled_by, i.cancel_reason, COUNT(*)
      FROM {_t(Interview)} i JOIN {_t(Application)} a ON a.id = i.application_id
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
    period; one query."""
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      SELECT p.id, p.name, COUNT(*)
      FROM {_t(SessionAttendee)} sa
        JOIN {_t(InterviewSession)} s ON s.id = sa.session_id
        JOIN {_t(Interview)} i ON i.id = s.interview_id
        JOIN {_t(Application)} a ON a.id = i.application_id
        JOIN {_t(Interviewer)} p ON p.id = sa.interviewer_id
      WHERE i.tenant_id = %s AND sa.response = %s AND s.start_at >= %s
        AND s.start_at < %s{apps}{plans}
      GROUP BY p.id, p.name
    """
    params = [
        _uuid(scope.tenant.pk),
        SessionAttendee.Response.DECLINED,
        _instant(scope.start),
        _instant(scope.end),
        *app_params,
        *plan_params,
    ]
    found = [
        PersonCount(str(Interviewer._meta.pk.to_python(pid)), name, int(n))
        for pid, name, n in _run(sql, params)
    ]
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


def _feedback_from(scope):
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("i.plan_id")
    sql = f"""
      FROM {_t(FeedbackRequest)} f
        JOIN {_t(Interview)} i ON i.id = f.interview_id
        JOIN {_t(Application)} a ON a.id = i.application_id
        JOIN {_t(Interviewer)} p ON p.id = f.interviewer_id
      WHERE f.tenant_id = %s AND f.due_at >= %s AND f.due_at < %s AND f.due_at <= %s
        AND i.status = %s{apps}{plans}
    """
    params = [
        _uuid(scope.tenant.pk),
        _instant(scope.start),
        _instant(scope.end),
        _instant(scope.now),
        Interview.Status.SCHEDULED,
        *app_params,
        *plan_params,
    ]
    return sql, params


def feedback(scope):
    """[PersonFeedback], least on time first: counts in one query, the median lateness of
    the late ones in another."""
    q = _Sql()
    from_sql, params = _feedback_from(scope)
    submitted = "f.submitted_at IS NOT NULL"
    sql = f"""
      SELECT f.interviewer_id, p.name, COUNT(*),
        SUM(CASE WHEN {submitted} AND f.submitted_at <= f.due_at THEN 1 ELSE 0 END),
        SUM(CASE WHEN {submitted} AND f.submitted_at > f.due_at THEN 1 ELSE 0 END),
        SUM(CASE WHEN {submitted} THEN 0 ELSE 1 END)
      {from_sql}
      GROUP BY f.interviewer_id, p.name
    """
    people = {
        str(Interviewer._meta.pk.to_python(pid)): PersonFeedback(
            str(Interviewer._meta.pk.to_python(pid)),
            name,
            int(due),
            int(on_time),
            int(late),
            int(missing),
        )
        for pid, name, due, on_time, late, missing in _run(sql, params)
    }
    lateness = f"""
      SELECT interviewer_id, secs, rn, n FROM (
        SELECT f.interviewer_id, {q.seconds("f.submitted_at", "f.due_at")} AS secs,
          ROW_NUMBER() OVER (PARTITION BY f.interviewer_id
                             ORDER BY {q.seconds("f.submitted_at", "f.due_at")}) AS rn,
          COUNT(*) OVER (PARTITION BY f.interviewer_id) AS n
        {from_sql} AND f.submitted_at > f.due_at
      ) ranked WHERE rn IN (1 + (n - 1) / 2, 2 + (n - 1) / 2)
    """
    ranks = {}
    for pid, secs, rn, n in _run(lateness, params):
        ranks.setdefault(str(Interviewer._meta.pk.to_python(pid)), ({}, n))[0][rn] = float(secs)
    for pid, (values, n) in ranks.items():
        if pid in people:
            people[pid].median_late = _percentile(values, n, 0.5)
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
    apps, app_params = scope.application_filter("a")
    plans, plan_params = scope.plan_filter("l.plan_id")
    sql = f"""
      SELECT COUNT(*),
        SUM(CASE WHEN l.first_opened_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NULL AND l.state = %s AND l.expires_at <= %s
            THEN 1 ELSE 0 END),
        SUM(CASE WHEN l.booked_at IS NULL AND l.state = %s THEN 1 ELSE 0 END)
      FROM {_t(BookingLink)} l JOIN {_t(Application)} a ON a.id = l.application_id
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

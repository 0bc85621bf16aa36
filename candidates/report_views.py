"""The Reports page (recruiters and admins), its CSV downloads, and the rows behind each of
its numbers. The figures come from candidates.reports; this module words and draws them."""

import csv
import dataclasses
import datetime as dt

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from scheduling import load
from scheduling.access import scheduler_required
from scheduling.lib import charts
from scheduling.models import AuditEntry, FeedbackRequest, Interview, Interviewer, SessionAttendee

from . import reports
from .forms import ReportFilterForm
from .models import BookingLink

TOP = 25
PAGE_SIZE = 50


# --- words for numbers ----------------------------------------------------------------------


def duration(seconds):
    """A time span as a recruiter says it: "45 min", "5.5 hours", "3.2 days"."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def hours(seconds):
    """For the CSV files: hours with two decimals, empty when unknown."""
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def percent(share):
    return "—" if share is None else f"{round(share * 100)}%"


def _day(value):
    return f"{value.day} {value:%b %Y}"


# --- the question -----------------------------------------------------------------------------


def _scope(request):
    """(form, Scope or None when the form has errors)."""
    zone = timezone.get_current_timezone()
    now = timezone.now()
    form = ReportFilterForm(
        request.GET, tenant=request.tenant, today=timezone.localdate(now, zone)
    )
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    scope = reports.Scope(
        tenant=request.tenant,
        first_day=data["start"],
        last_day=data["end"],
        zone=zone.key,
        now=now,
        job=data["job"],
        recruiter=data["recruiter"],
        plan=data["plan"],
    )
    return form, scope


def _query(scope, **extra):
    """The query string of the scope, plus `extra`, for links to rows and CSV files."""
    params = {"start": scope.first_day.isoformat(), "end": scope.last_day.isoformat()}
    for name in ("job", "recruiter", "plan"):
        if getattr(scope, name) is not None:
            params[name] = str(getattr(scope, name).pk)
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


def rows_url(scope, kind, **extra):
    return f"{reverse('report_rows', args=[kind])}?{_query(scope, **extra)}"


def _presets(today):
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - dt.timedelta(days=1)
    last_quarter_start = dt.date(
        last_quarter_end.year, 3 * ((last_quarter_end.month - 1) // 3) + 1, 1
    )
    return [
        ("Last 30 days", today - dt.timedelta(days=29), today),
        ("Last 90 days", today - dt.timedelta(days=89), today),
        ("This quarter", quarter_start, today),
        ("Last quarter", last_quarter_start, last_quarter_end),
    ]


# --- the tables behind the charts (the page and the CSV files share them) ----------------------


@dataclasses.dataclass
class Cell:
    text: str
    href: str = ""
    csv: object = None  # what the CSV file holds, when not the text

    @property
    def value(self):
        return self.text if self.csv is None else self.csv


@dataclasses.dataclass
class Table:
    caption: str
    header: list
    rows: list  # [[Cell]]
    csv_header: list | None = None
    more: int = 0  # rows left off the page (all are in the CSV)


def _count(n, href):
    return Cell(str(n), href if n else "", n)


def time_to_schedule_table(scope, stage, links):
    rows = []
    for monday in scope.mondays:
        a, b = stage.get(monday), links.get(monday)
        rows.append(
            [
                Cell(f"Week of {_day(monday)}", csv=monday.isoformat()),
                _count(a.count if a else 0, rows_url(scope, "booked", week=monday.isoformat())),
                Cell(duration(a and a.median), csv=hours(a and a.median)),
                Cell(duration(a and a.p90), csv=hours(a and a.p90)),
                _count(b.count if b else 0, rows_url(scope, "links", stage="booked", week=monday)),
                Cell(duration(b and b.median), csv=hours(b and b.median)),
                Cell(duration(b and b.p90), csv=hours(b and b.p90)),
            ]
        )
    return Table(
        "Time to schedule, by week of booking",
        [
            "Week",
            "Interviews booked",
            "Median: stage → booked",
            "90% within",
            "Links booked",
            "Median: link sent → booked",
            "90% within",
        ],
        rows,
        csv_header=[
            "week_starting",
            "interviews_booked",
            "stage_to_booked_median_hours",
            "stage_to_booked_p90_hours",
            "links_booked",
            "link_to_booked_median_hours",
            "link_to_booked_p90_hours",
        ],
    )


def load_table(scope, people, *, limit=TOP):
    shown = people[:limit] if limit else people
    rows = [
        [
            Cell(p.name),
            _count(p.seats, rows_url(scope, "seats", interviewer=p.interviewer_id)),
            Cell(str(p.from_ats), csv=p.from_ats),
            Cell(f"{p.per_week:.1f}", csv=f"{p.per_week:.2f}"),
            Cell(str(p.busiest_week), csv=p.busiest_week),
        ]
        for p in shown
    ]
    return Table(
        "Interviews per person",
        ["Interviewer", "Interviews", "Booked outside Convene", "Per week", "Busiest week"],
        rows,
        csv_header=[
            "interviewer",
            "interviews",
            "booked_outside_convene",
            "per_week",
            "busiest_week",
        ],
        more=len(people) - len(shown),
    )


def _limit(cap, what):
    return Cell(f"{cap} a {what}" if cap is not None else "no limit", csv=cap)


def over_caps_table(scope, over, *, limit=TOP):
    shown = over[:limit] if limit else over
    rows = [
        [
            Cell(o.name),
            _count(o.days_over, rows_url(scope, "seats", interviewer=o.interviewer_id)),
            _limit(o.daily_cap, "day"),
            _count(o.weeks_over, rows_url(scope, "seats", interviewer=o.interviewer_id)),
            _limit(o.weekly_cap, "week"),
        ]
        for o in shown
    ]
    return Table(
        "People over their limits",
        ["Interviewer", "Days over", "Daily limit", "Weeks over", "Weekly limit"],
        rows,
        csv_header=["interviewer", "days_over", "daily_limit", "weeks_over", "weekly_limit"],
        more=len(over) - len(shown),
    )


KIND_WORDS = {"reschedule": "Rescheduled", "cancel": "Canceled"}


def changes_table(scope, changes, *, limit=TOP):
    shown = changes[:limit] if limit else changes
    rows = [
        [
            Cell(KIND_WORDS[c.kind], csv=c.kind),
            Cell(c.who, csv=c.by or "convene"),
            Cell(c.reason or "No reason given", csv=c.reason),
            _count(
                c.count,
                rows_url(scope, "changes", change=c.kind, by=c.by or "convene", reason=c.reason),
            ),
        ]
        for c in shown
    ]
    return Table(
        "Reschedules and cancellations by reason",
        ["Change", "Who asked", "Reason", "Times"],
        rows,
        csv_header=["change", "who_asked", "reason", "count"],
        more=len(changes) - len(shown),
    )


def declines_table(scope, people, *, limit=TOP):
    shown = people[:limit] if limit else people
    rows = [
        [
            Cell(p.name),
            _count(p.count, rows_url(scope, "declines", interviewer=p.interviewer_id)),
        ]
        for p in shown
    ]
    return Table(
        "Declined invitations per interviewer",
        ["Interviewer", "Declined"],
        rows,
        csv_header=["interviewer", "declined"],
        more=len(people) - len(shown),
    )


def feedback_table(scope, people, *, limit=TOP):
    def link(p, state, n):
        return _count(n, rows_url(scope, "feedback", interviewer=p.interviewer_id, state=state))

    shown = people[:limit] if limit else people

    rows = [
        [
            Cell(p.name),
            link(p, "all", p.due),
            link(p, "on_time", p.on_time),
            link(p, "late", p.late),
            link(p, "missing", p.missing),
            Cell(percent(p.on_time_rate), csv=f"{p.on_time_rate:.4f}"),
            Cell(duration(p.median_late), csv=hours(p.median_late)),
        ]
        for p in shown
    ]
    return Table(
        "Feedback per interviewer, least on time first",
        ["Interviewer", "Due", "On time", "Late", "Missing", "On time", "Median lateness"],
        rows,
        csv_header=[
            "interviewer",
            "due",
            "on_time",
            "late",
            "missing",
            "on_time_rate",
            "median_lateness_hours",
        ],
        more=len(people) - len(shown),
    )


FUNNEL = [
    ("sent", "Sent"),
    ("opened", "Opened"),
    ("booked", "Booked"),
    ("expired", "Expired unused"),
    ("revoked", "Withdrawn"),
]


def funnel_table(scope, funnel):
    rows = []
    for key, label in FUNNEL:
        n = getattr(funnel, key)
        share = n / funnel.sent if funnel.sent else None
        rows.append(
            [
                Cell(label, csv=key),
                _count(n, rows_url(scope, "links", stage=key)),
                Cell(percent(share), csv="" if share is None else f"{share:.4f}"),
            ]
        )
    return Table(
        "Booking links sent in the period",
        ["Links", "How many", "Of those sent"],
        rows,
        csv_header=["stage", "links", "share_of_sent"],
    )


def _tables(scope, which=None, limit=TOP):
    """{name: Table} for the charts asked for (all when `which` is None)."""
    want = (lambda name: True) if which is None else (lambda name: name == which)
    tables = {}
    if want("time-to-schedule"):
        tables["time-to-schedule"] = time_to_schedule_table(
            scope, reports.stage_to_booked(scope), reports.link_to_booked(scope)
        )
    if want("load") or want("over-caps"):
        people, over = reports.load_and_caps(scope)
        tables["load"] = load_table(scope, people, limit=limit)
        tables["over-caps"] = over_caps_table(scope, over, limit=limit)
    if want("changes"):
        changes = reports.reschedules(scope) + reports.cancellations(scope)
        tables["changes"] = changes_table(scope, changes, limit=limit)
    if want("declines"):
        tables["declines"] = declines_table(scope, reports.declines(scope), limit=limit)
    if want("feedback"):
        tables["feedback"] = feedback_table(scope, reports.feedback(scope), limit=limit)
    if want("self-scheduling"):
        tables["self-scheduling"] = funnel_table(scope, reports.funnel(scope))
    return tables


CSV_NAMES = (
    "time-to-schedule",
    "load",
    "over-caps",
    "changes",
    "declines",
    "feedback",
    "self-scheduling",
)


# --- the page ---------------------------------------------------------------------------------


@scheduler_required
def reports_page(request):
    form, scope = _scope(request)
    today = timezone.localdate()
    context = {
        "form": form,
        "nav_active": "reports",
        "presets": [
            {"label": label, "query": urlencode({"start": a.isoformat(), "end": b.isoformat()})}
            for label, a, b in _presets(today)
        ],
    }
    if scope is None:
        return render(request, "candidates/reports.html", context, status=400)
    stage, links = reports.stage_to_booked(scope), reports.link_to_booked(scope)
    people, over = reports.load_and_caps(scope)
    top, share = reports.busiest_share(people)
    rescheduled, canceled = reports.reschedules(scope), reports.cancellations(scope)
    declined = reports.declines(scope)
    feedback = reports.feedback(scope)
    funnel = reports.funnel(scope)
    due = sum(p.due for p in feedback)
    on_time = sum(p.on_time for p in feedback)
    weeks = [(m, stage.get(m), links.get(m)) for m in scope.mondays]
    context.update(
        scope=scope,
        query=_query(scope),
        zone_name=scope.zone,
        stage=stage[None],
        links=links[None],
        stage_chart=charts.columns(
            [(f"{m.day} {m:%b}", s and s.median / 3600, s and s.p90 / 3600) for m, s, _l in weeks]
        ),
        link_chart=charts.columns(
            [(f"{m.day} {m:%b}", b and b.median / 3600, b and b.p90 / 3600) for m, _s, b in weeks]
        ),
        people_count=len(people),
        seat_count=sum(p.seats for p in people),
        ats_count=sum(p.from_ats for p in people),
        top=top,
        share=share,
        load_chart=charts.hbars([(p.name, p.per_week, f"{p.per_week:.1f}") for p in people[:15]]),
        over=over,
        rescheduled_total=sum(c.count for c in rescheduled),
        canceled_total=sum(c.count for c in canceled),
        changes_chart=charts.hbars(
            [(f"Rescheduled: {who}", n, str(n)) for _b, who, n in reports.by_who(rescheduled)]
            + [(f"Canceled: {who}", n, str(n), "bad") for _b, who, n in reports.by_who(canceled)]
        ),
        declines_total=sum(p.count for p in declined),
        feedback_due=due,
        feedback_on_time=on_time,
        feedback_rate=on_time / due if due else None,
        feedback_chart=charts.hbars(
            [(p.name, 100 * p.on_time_rate, percent(p.on_time_rate)) for p in feedback[:15]],
            top=100,
        ),
        funnel=funnel,
        funnel_chart=charts.hbars(
            [(label, getattr(funnel, key), str(getattr(funnel, key))) for key, label in FUNNEL]
        ),
        tables={
            "time-to-schedule": time_to_schedule_table(scope, stage, links),
            "load": load_table(scope, people),
            "over-caps": over_caps_table(scope, over),
            "changes": changes_table(scope, rescheduled + canceled),
            "declines": declines_table(scope, declined),
            "feedback": feedback_table(scope, feedback),
            "self-scheduling": funnel_table(scope, funnel),
        },
        headline={
            "stage_median": duration(stage[None].median),
            "stage_p90": duration(stage[None].p90),
            "link_median": duration(links[None].median),
            "link_p90": duration(links[None].p90),
            "share": percent(share),
            "feedback": percent(on_time / due if due else None),
        },
    )
    return render(request, "candidates/reports.html", context)


@scheduler_required
def reports_csv(request, chart):
    if chart not in CSV_NAMES:
        raise Http404
    form, scope = _scope(request)
    if scope is None:
        return HttpResponse(
            "The period is not valid: " + " ".join(e for es in form.errors.values() for e in es),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    table = _tables(scope, chart, limit=None)[chart]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"convene-{chart}-{scope.first_day}-to-{scope.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(table.csv_header or table.header)
    for row in table.rows:
        writer.writerow([_safe(cell.value) for cell in row])
    return response


def _safe(value):
    """A cell a spreadsheet will not run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


# --- the rows behind a number -----------------------------------------------------------------


def _application_q(scope, prefix):
    q = Q()
    if scope.job is not None:
        q &= Q(**{f"{prefix}job": scope.job})
    if scope.recruiter is not None:
        q &= Q(**{f"{prefix}job__recruiters": scope.recruiter})
    return q


def _interview_q(scope, prefix=""):
    q = _application_q(scope, f"{prefix}application__")
    if scope.plan is not None:
        q &= Q(**{f"{prefix}plan": scope.plan})
    return q


def _week(request, scope):
    """[start, end) of `?week=` (a Monday, in the viewer's zone), or the whole period."""
    try:
        monday = dt.date.fromisoformat(request.GET.get("week") or "")
    except ValueError:
        return scope.start, scope.end
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time(), zone)
    return max(start, scope.start), min(start + dt.timedelta(days=7), scope.end)


def _person(request, scope):
    """The interviewer `?interviewer=` names, in the tenant; 404 for anything else."""
    try:
        return Interviewer.objects.get(tenant=scope.tenant, pk=request.GET.get("interviewer"))
    except (Interviewer.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def _when(value):
    return timezone.localtime(value).strftime("%a %d %b %Y %H:%M") if value else "—"


def _interview_cell(interview):
    return Cell(
        interview.application.candidate.name,
        reverse("interview_detail", args=[interview.pk]),
    )


def _booked_rows(request, scope):
    start, end = _week(request, scope)
    interviews = (
        Interview.objects.filter(tenant=scope.tenant, created_at__gte=start, created_at__lt=end)
        .filter(_interview_q(scope))
        .select_related("application__candidate", "application__job")
        .order_by("created_at", "pk")
    )
    rows = [
        [
            _interview_cell(i),
            Cell(i.application.job.name if i.application.job else "—"),
            Cell(_when(i.stage_entered_at)),
            Cell(_when(i.created_at)),
            Cell(
                duration((i.created_at - i.stage_entered_at).total_seconds())
                if i.stage_entered_at and i.stage_entered_at <= i.created_at
                else "not known"
            ),
        ]
        for i in interviews
    ]
    return (
        "Interviews booked in Convene",
        ["Candidate", "Job", "Stage entered", "Booked", "Time to schedule"],
        rows,
    )


LINK_STAGES = {
    "sent": ("Booking links sent", Q()),
    "opened": ("Booking links opened", Q(first_opened_at__isnull=False)),
    "booked": ("Booking links booked", Q(booked_at__isnull=False)),
    "expired": ("Booking links that expired unused", Q()),
    "revoked": ("Booking links withdrawn", Q(booked_at__isnull=True, state="revoked")),
}


def _link_rows(request, scope):
    stage = request.GET.get("stage", "sent")
    if stage not in LINK_STAGES:
        raise Http404
    title, q = LINK_STAGES[stage]
    links = BookingLink.objects.filter(tenant=scope.tenant).filter(
        _application_q(scope, "application__")
    )
    if scope.plan is not None:
        links = links.filter(plan=scope.plan)
    if stage == "booked":
        start, end = _week(request, scope)
        links = links.filter(booked_at__gte=start, booked_at__lt=end, sent_at__isnull=False)
        links = links.filter(sent_at__lte=F("booked_at"))
    else:
        links = links.filter(sent_at__gte=scope.start, sent_at__lt=scope.end).filter(q)
    if stage == "expired":
        links = links.filter(booked_at__isnull=True, state="open", expires_at__lte=scope.now)
    links = links.select_related("application__candidate", "application__job").order_by(
        "sent_at", "pk"
    )
    rows = [
        [
            Cell(
                link.application.candidate.name,
                reverse("candidate_detail", args=[link.application.candidate_id]),
            ),
            Cell(link.application.job.name if link.application.job else "—"),
            Cell(_when(link.sent_at)),
            Cell(_when(link.first_opened_at)),
            Cell(_when(link.booked_at)),
            Cell(
                duration((link.booked_at - link.sent_at).total_seconds())
                if link.booked_at and link.sent_at
                else "—"
            ),
        ]
        for link in links
    ]
    return title, ["Candidate", "Job", "Sent", "First opened", "Booked", "Sent → booked"], rows


def _seat_rows(request, scope):
    person = _person(request, scope)
    convene = load.convene_seats(
        scope.tenant, start=scope.start, end=scope.end, interviewer_ids=[person.pk], starting=True
    )
    ats = load.ats_seats(
        scope.tenant, start=scope.start, end=scope.end, interviewer_ids=[person.pk], starting=True
    )
    if request.GET.get("all") != "1":
        convene = convene.filter(_interview_q(scope, "session__interview__"))
        ats = ats.filter(_application_q(scope, "remote_interview__application__"))
        if scope.plan is not None:
            ats = ats.none()
    found = [
        (
            seat.start_at,
            [
                Cell(_when(seat.start_at)),
                _interview_cell(seat.session.interview),
                Cell(seat.session.title),
                Cell("Convene"),
            ],
        )
        for seat in convene.select_related("session__interview__application__candidate")
    ]
    for seat in ats.select_related(
        "remote_interview__application__candidate", "remote_interview__connection"
    ):
        remote = seat.remote_interview
        candidate = remote.application.candidate if remote.application else None
        where = remote.connection.integration_name or "the ATS"
        found.append(
            (
                seat.start_at,
                [
                    Cell(_when(seat.start_at)),
                    Cell(
                        candidate.name if candidate else "—",
                        reverse("candidate_detail", args=[candidate.pk]) if candidate else "",
                    ),
                    Cell("Interview in the ATS"),
                    Cell(
                        f"{where}, from its calendar event"
                        if seat.via == seat.Via.CALENDAR
                        else where
                    ),
                ],
            )
        )
    found.sort(key=lambda item: item[0])
    return (
        f"Interviews {person.name} sat in",
        ["When", "Candidate", "Interview", "Booked in"],
        [row for _at, row in found],
    )


def _change_rows(request, scope):
    change, by = request.GET.get("change"), request.GET.get("by", "")
    by = "" if by == "convene" else by
    reason = request.GET.get("reason", "")
    if change == "cancel":
        interviews = (
            Interview.objects.filter(
                tenant=scope.tenant,
                canceled_at__gte=scope.start,
                canceled_at__lt=scope.end,
                canceled_by=by,
            )
            .filter(_interview_q(scope))
            .select_related("application__candidate")
            .order_by("canceled_at", "pk")
        )
        rows = [
            [
                _interview_cell(i),
                Cell(_when(i.canceled_at)),
                Cell(reports.WHO.get(i.canceled_by, i.canceled_by)),
                Cell(i.cancel_reason or "No reason given"),
            ]
            for i in interviews
            if (i.cancel_reason or "").strip() == reason
        ]
        return "Canceled interviews", ["Candidate", "Canceled", "Who asked", "Reason"], rows
    if change != "reschedule":
        raise Http404
    entries = AuditEntry.objects.filter(
        tenant=scope.tenant,
        action__in=reports.RESCHEDULED,
        created_at__gte=scope.start,
        created_at__lt=scope.end,
    ).order_by("created_at", "pk")
    entries = [e for e in entries if _entry_by(e) == by and e.data.get("reason", "") == reason]
    interviews = Interview.objects.filter(tenant=scope.tenant).filter(_interview_q(scope))
    found = interviews.select_related("application__candidate").in_bulk(
        [e.object_id for e in entries]
    )
    found = {str(pk): interview for pk, interview in found.items()}
    rows = [
        [
            _interview_cell(found[e.object_id]),
            Cell(_when(e.created_at)),
            Cell(reports.WHO.get(by, by)),
            Cell(e.message),
        ]
        for e in entries
        if e.object_id in found
    ]
    return "Rescheduled interviews", ["Candidate", "When", "Who asked", "What happened"], rows


def _entry_by(entry):
    """Who asked for a reschedule, as reports.reschedules reads it."""
    if "by" in entry.data:
        return entry.data["by"]
    if entry.actor_id:
        return "recruiter"
    return "candidate" if entry.actor_label == "Candidate" else "calendar"


def _decline_rows(request, scope):
    person = _person(request, scope)
    seats = (
        SessionAttendee.objects.filter(
            interviewer=person,
            response=SessionAttendee.Response.DECLINED,
            session__interview__tenant=scope.tenant,
            session__start_at__gte=scope.start,
            session__start_at__lt=scope.end,
        )
        .filter(_interview_q(scope, "session__interview__"))
        .select_related("session__interview__application__candidate")
        .order_by("session__start_at", "pk")
    )
    rows = [
        [
            _interview_cell(a.session.interview),
            Cell(a.session.title),
            Cell(_when(a.session.start_at)),
        ]
        for a in seats
    ]
    return f"Invitations {person.name} declined", ["Candidate", "Session", "When"], rows


FEEDBACK_STATES = {
    "all": Q(),
    "on_time": Q(submitted_at__isnull=False, submitted_at__lte=F("due_at")),
    "late": Q(submitted_at__isnull=False, submitted_at__gt=F("due_at")),
    "missing": Q(submitted_at__isnull=True),
}


def _feedback_rows(request, scope):
    person = _person(request, scope)
    state = request.GET.get("state", "all")
    if state not in FEEDBACK_STATES:
        raise Http404
    requests_ = (
        FeedbackRequest.objects.filter(
            tenant=scope.tenant,
            interviewer=person,
            due_at__gte=scope.start,
            due_at__lt=scope.end,
            due_at__lte=scope.now,
            interview__status=Interview.Status.SCHEDULED,
        )
        .filter(FEEDBACK_STATES[state])
        .filter(_interview_q(scope, "interview__"))
        .select_related("interview__application__candidate", "session")
        .order_by("due_at", "pk")
    )
    rows = [
        [
            _interview_cell(f.interview),
            Cell(f.session.title),
            Cell(_when(f.due_at)),
            Cell(_when(f.submitted_at) if f.submitted_at else "not yet"),
            Cell(
                duration((f.submitted_at - f.due_at).total_seconds())
                if f.submitted_at and f.submitted_at > f.due_at
                else ("on time" if f.submitted_at else "—")
            ),
        ]
        for f in requests_
    ]
    words = {"all": "due", "on_time": "in on time", "late": "in late", "missing": "missing"}
    return (
        f"Feedback from {person.name} {words[state]}",
        ["Candidate", "Session", "Due", "Submitted", "Late by"],
        rows,
    )


ROWS = {
    "booked": _booked_rows,
    "links": _link_rows,
    "seats": _seat_rows,
    "changes": _change_rows,
    "declines": _decline_rows,
    "feedback": _feedback_rows,
}


@scheduler_required
def report_rows(request, kind):
    if kind not in ROWS:
        raise Http404
    form, scope = _scope(request)
    if scope is None:
        return render(
            request,
            "candidates/reports.html",
            {"form": form, "nav_active": "reports", "presets": []},
            status=400,
        )
    title, header, rows = ROWS[kind](request, scope)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/report_rows.html",
        {
            "title": title,
            "header": header,
            "page": page,
            "count": len(rows),
            "scope": scope,
            "back": f"{reverse('reports')}?{_query(scope)}",
            "query": query.urlencode(),
            "nav_active": "reports",
        },
    )

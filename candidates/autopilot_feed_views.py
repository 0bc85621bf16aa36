"""The pipeline's "Autopilot" tab: what autopilot did, line by line (sent, booked, waiting,
back with a recruiter, not sent, held), filterable, each line linking to the candidate; and
each plan's rule with its pause switch."""

import dataclasses

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from scheduling.access import scheduler_required
from scheduling.lib import durations, zones
from scheduling.models import InterviewPlan

from . import autopilot_follow
from .autopilot_follow import ACTION_STATES, day_and_time
from .forms import FEED_KINDS, AutopilotFeedForm
from .models import AutopilotEvent, StageEntry

PAGE_SIZE = 50


@dataclasses.dataclass
class Line:
    """A line of the feed as the page shows it."""

    event: object
    text: str
    at: str  # "10:04", "Yesterday 10:04", "Fri 4 Dec, 10:04": the reader's clock
    now: str = ""  # where the entry stands now, when that is worth saying
    needs_you: bool = False
    who: str = ""  # the candidate's name, when the line does not say it
    plan: str = ""  # the plan's name, when the line does not say it


def _when(moment, now):
    local, today = timezone.localtime(moment), timezone.localtime(now).date()
    days = (today - local.date()).days
    if days == 0:
        return f"{local:%H:%M}"
    if days == 1:
        return f"Yesterday {local:%H:%M}"
    if local.year != today.year:
        return f"{local:%a %-d %b %Y}, {local:%H:%M}"
    return f"{local:%a %-d %b}, {local:%H:%M}"


def _standing(entry, now, zone_name):
    """Where the entry stands now, in words (only for the entry's latest line)."""
    if entry.state == StageEntry.State.SENT:
        return autopilot_follow.waiting_for(entry, now)
    if entry.state == StageEntry.State.BOOKED and entry.interview_id:
        return f"Booked: {day_and_time(entry.interview.start_at, zone_name)}"
    if entry.state in ACTION_STATES:
        # The line itself says why (held, back with you, queued).
        return "Needs you"
    return ""


def lines(events, now, zone_name):
    """The page's lines: a booking read on the reader's clock; where each entry stands now
    beside its latest line."""
    latest = {}
    result = []
    for event in events:
        entry = event.entry
        text = event.text
        if (
            event.kind == AutopilotEvent.Kind.BOOKED
            and entry is not None
            and entry.interview_id
            and entry.state == StageEntry.State.BOOKED
        ):
            text = f"Booked: {day_and_time(entry.interview.start_at, zone_name)}"
        line = Line(event, text, _when(event.at, now))
        application = event.application
        if application is not None and application.candidate.name not in text:
            line.who = application.candidate.name
        if event.plan is not None and event.plan.name not in text:
            line.plan = event.plan.name
        if entry is not None and entry.pk not in latest:
            latest[entry.pk] = line
            standing = _standing(entry, now, zone_name)
            if standing and standing != text:
                line.now = standing
            line.needs_you = entry.state in ACTION_STATES
        result.append(line)
    return result


def feed_events(tenant, filters):
    """The tenant's feed lines, newest first, filtered."""
    events = AutopilotEvent.objects.filter(tenant=tenant).select_related(
        "entry__interview",
        "entry__plan",
        "entry__application__candidate",
        "entry__link__availability_request",
        "application__candidate",
        "plan",
    )
    if filters.get("plan"):
        events = events.filter(plan=filters["plan"])
    if filters.get("kind") in FEED_KINDS:
        events = events.filter(kind__in=FEED_KINDS[filters["kind"]][1])
    if filters.get("action"):
        # The line that says why each entry waits for a recruiter.
        events = events.filter(
            entry__state__in=ACTION_STATES,
            kind__in=(AutopilotEvent.Kind.QUEUED, AutopilotEvent.Kind.RETURNED),
        )
    return events.order_by("-at", "-pk")


@scheduler_required
def feed(request):
    tenant = request.tenant
    now = timezone.now()
    form = AutopilotFeedForm(request.GET, tenant=tenant)
    filters = form.filters()
    page = Paginator(feed_events(tenant, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    zone_name = timezone.get_current_timezone_name()
    query = request.GET.copy()
    query.pop("page", None)
    needing = StageEntry.objects.filter(tenant=tenant, state__in=ACTION_STATES).count()
    context = {
        "form": form,
        "page": page,
        "lines": lines(page.object_list, now, zone_name),
        "query": query.urlencode(),
        "filtered": any(filters.values()),
        "needing": needing,
        "times_received_reason": autopilot_follow.TIMES_RECEIVED,
        "plans": [
            (plan, durations.words(plan.autopilot_delay_minutes))
            for plan in InterviewPlan.objects.filter(tenant=tenant).order_by("name")
        ],
        "zone_text": zones.describe(zone_name, now),
        "nav_active": "pipeline",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "candidates/autopilot_feed.html#feed-lines", context)
    return render(request, "candidates/autopilot_feed.html", context)

"""The recruiter's autopilot switches: the queue's one-click "Send", and pausing a plan."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scheduling.access import get_for_tenant, scheduler_required
from scheduling.models import InterviewPlan

from . import autopilot
from .models import StageEntry


def _back(request, default="pipeline"):
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(default)


def _queue_fragment(request):
    context = autopilot.pipeline_context(request.tenant, timezone.now())
    return render(request, "candidates/_autopilot_queue.html", context)


@require_POST
@scheduler_required
def send(request, pk):
    """The queue's one click: the plan's link (or request) to this entry's candidate now."""
    entry = get_for_tenant(
        request,
        StageEntry.objects.select_related("application__candidate", "plan"),
        pk=pk,
    )
    candidate = entry.application.candidate
    try:
        entry = autopilot.send_now(entry, user=request.user)
    except autopilot.NotSent as exc:
        messages.warning(request, str(exc))
    else:
        if entry.state == StageEntry.State.SENT:
            what = (
                "a request for their times" if entry.availability_request_id else "a booking link"
            )
            messages.success(request, f"Sent {candidate} {what} for the “{entry.plan}” plan.")
        else:
            messages.warning(request, f"Not sent to {candidate}: {entry.reason}.")
    if request.htmx:
        return _queue_fragment(request)
    return _back(request)


@require_POST
@scheduler_required
def pause(request, pk):
    """Pause (paused=1) or resume (paused=0) a plan's autopilot at once."""
    plan = get_for_tenant(request, InterviewPlan.objects, pk=pk)
    paused = request.POST.get("paused") == "1"
    autopilot.set_paused(plan, paused, user=request.user)
    if request.htmx:
        if request.POST.get("fragment") == "switch":
            return render(request, "candidates/_autopilot_switch.html", {"plan": plan})
        return _queue_fragment(request)
    messages.success(
        request,
        f"Autopilot is paused for the “{plan}” plan: nothing goes out until you resume it."
        if paused
        else f"Autopilot is on again for the “{plan}” plan.",
    )
    return _back(request)

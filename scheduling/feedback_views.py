"""Feedback pages: the form behind the emailed link (no sign-in), the same form for signed-in
members ("My feedback"), and the recruiter's nudge. The rules live in feedback.py."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import attendance, feedback
from .access import (
    admin_required,
    csrf_protect_no_referrer,
    get_for_tenant,
    member_required,
    scheduler_required,
    token_page,
)
from .feedback_forms import FeedbackForm, FeedbackSettingsForm
from .lib import zones
from .models import FeedbackRequest, Interview, audit

PAGE = "scheduling/feedback_page.html"
PROBLEM_STATUS = {"tampered": 404, "unknown": 404, "expired": 410, "canceled": 410}


def _problem(request, kind, item=None):
    status = PROBLEM_STATUS[kind]
    context = {"kind": kind, "feedback": item}
    if request.htmx:
        return render(request, f"{PAGE}#draft-status", {**context, "problem": kind}, status=status)
    return render(request, "scheduling/feedback_link_problem.html", context, status=status)


def _show(request, item, *, urls, form=None, signed_in=False, status=200):
    """The form, or the read-only copy once submitted, in the interviewer's time zone; what
    it says when no feedback is needed (a no-show), and the marking of one."""
    now = timezone.now()
    withdrawn = item.status == FeedbackRequest.Status.WITHDRAWN
    no_shows = list(item.session.no_shows.select_related("interviewer"))
    context = {
        "feedback": item,
        "withdrawn": withdrawn,
        "not_needed_because": feedback.not_needed_because(item) if withdrawn else "",
        "no_shows": no_shows,
        "can_mark": attendance.can_mark(item.session, now),
        "absentees": [
            (value, label)
            for value, label in attendance.absentees(item.session, marked=no_shows)
            if value != str(item.interviewer_id)
        ],
        "form": form or FeedbackForm.for_request(item),
        "urls": urls,
        "signed_in": signed_in,
        "saved_at": item.draft_saved_at,
        "colleagues": feedback.colleagues(item) if signed_in else [],
        "zone_words": zones.describe(item.interviewer.timezone, item.session.start_at),
    }
    with timezone.override(zones.zone(item.interviewer.timezone)):
        return render(request, PAGE, context, status=status)


def _page(request, item, *, urls, signed_in=False):
    """GET shows; POST submits (a mail scanner's GET never changes anything)."""
    if not item.is_submitted and not item.interview.is_active:
        return _problem(request, "canceled", item)
    if request.method != "POST":
        return _show(request, item, urls=urls, signed_in=signed_in)
    if item.status == FeedbackRequest.Status.WITHDRAWN:
        messages.info(request, f"No feedback is needed: {feedback.not_needed_because(item)}.")
        return redirect(urls["page"])
    if item.is_submitted:
        messages.info(request, str(feedback.AlreadySubmitted()))
        return redirect(urls["page"])
    form = FeedbackForm.for_request(item, request.POST, submitting=True)
    if not form.is_valid():
        # Keep what was typed, then show the errors beside their fields.
        feedback.save_draft(item, form.values(item))
        return _show(request, item, urls=urls, form=form, signed_in=signed_in)
    try:
        feedback.submit(item, form.values(item), user=request.user)
    except feedback.AlreadySubmitted as exc:
        messages.info(request, str(exc))
    return redirect(urls["page"])


def _draft(request, item, *, urls):
    """Autosave (HTMX: answers the status line alone) and the no-JavaScript "Save draft"."""
    if not item.interview.is_active and not item.is_submitted:
        return _problem(request, "canceled", item)
    if item.status == FeedbackRequest.Status.WITHDRAWN:
        if request.htmx:
            return render(request, f"{PAGE}#draft-status", {"problem": "withdrawn"}, status=409)
        messages.info(request, f"No feedback is needed: {feedback.not_needed_because(item)}.")
        return redirect(urls["page"])
    form = FeedbackForm.for_request(item, request.POST)
    form.is_valid()
    saved = feedback.save_draft(item, form.values(item))
    if request.htmx:
        context = {"saved_at": item.draft_saved_at, "problem": "" if saved else "submitted"}
        with timezone.override(zones.zone(item.interviewer.timezone)):
            return render(request, f"{PAGE}#draft-status", context, status=200 if saved else 409)
    if saved:
        messages.success(request, "Draft saved. Come back to it any time before you submit.")
    else:
        messages.info(request, str(feedback.AlreadySubmitted()))
    return redirect(urls["page"])


# --- through the emailed link ------------------------------------------------------------------


def _no_show(request, item, *, urls):
    """An interviewer marks that the candidate, or a colleague, did not attend their
    session (attendance.mark holds the rules)."""
    if not item.interview.is_active:
        return _problem(request, "canceled", item)
    user = request.user if request.user.is_authenticated else None
    try:
        no_show = attendance.mark(
            item.session, request.POST.get("who", ""), user=user, by_interviewer=item.interviewer
        )
    except attendance.AttendanceError as exc:
        messages.error(request, str(exc))
    else:
        item.refresh_from_db()
        text = f"Noted: {no_show.clause}."
        if item.status == FeedbackRequest.Status.WITHDRAWN:
            text += " No feedback is needed from you for it."
        text += " The recruiter sees it, and can undo it if it was a mistake."
        messages.success(request, text)
    return redirect(urls["page"])


def _link_urls(token):
    return {
        "page": reverse("feedback_link", args=[token]),
        "draft": reverse("feedback_link_draft", args=[token]),
        "no_show": reverse("feedback_link_no_show", args=[token]),
    }


@csrf_protect_no_referrer
@token_page
def link_page(request, token):
    try:
        item = feedback.resolve(token)
    except feedback.LinkError as exc:
        return _problem(request, exc.kind, exc.feedback)
    return _page(request, item, urls=_link_urls(token))


@csrf_protect_no_referrer
@require_POST
@token_page
def link_draft(request, token):
    try:
        item = feedback.resolve(token)
    except feedback.LinkError as exc:
        return _problem(request, exc.kind, exc.feedback)
    return _draft(request, item, urls=_link_urls(token))


@csrf_protect_no_referrer
@require_POST
@token_page
def link_no_show(request, token):
    try:
        item = feedback.resolve(token)
    except feedback.LinkError as exc:
        return _problem(request, exc.kind, exc.feedback)
    return _no_show(request, item, urls=_link_urls(token))


# --- signed in -----------------------------------------------------------------------------------


def _mine(request, pk):
    """The signed-in member's own request, or 404 (also for a colleague's or another team's)."""
    item = feedback.mine(request.tenant, request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def _my_urls(item):
    return {
        "page": reverse("my_feedback_detail", args=[item.pk]),
        "draft": reverse("my_feedback_draft", args=[item.pk]),
        "no_show": reverse("my_feedback_no_show", args=[item.pk]),
    }


@member_required()
def my_feedback(request):
    items = list(feedback.mine(request.tenant, request.user))
    now = timezone.now()
    return render(
        request,
        "scheduling/my_feedback.html",
        {
            "pending": [i for i in items if i.status in feedback.OPEN and i.interview.is_active],
            "submitted": [i for i in items if i.is_submitted],
            "not_needed": [
                i
                for i in items
                if i.status == FeedbackRequest.Status.WITHDRAWN and i.interview.is_active
            ],
            "now": now,
            "nav_active": "my_feedback",
        },
    )


@never_cache
@member_required()
def my_feedback_detail(request, pk):
    item = _mine(request, pk)
    return _page(request, item, urls=_my_urls(item), signed_in=True)


@require_POST
@member_required()
def my_feedback_draft(request, pk):
    item = _mine(request, pk)
    return _draft(request, item, urls=_my_urls(item))


@require_POST
@member_required()
def my_feedback_no_show(request, pk):
    item = _mine(request, pk)
    return _no_show(request, item, urls=_my_urls(item))


# --- the recruiter -------------------------------------------------------------------------------


@require_POST
@scheduler_required
def nudge(request, pk, feedback_pk):
    interview = get_for_tenant(request, Interview.objects, pk=pk)
    item = (
        FeedbackRequest.objects.filter(interview=interview, pk=feedback_pk)
        .select_related("interviewer")
        .first()
    )
    if item is None:
        raise Http404
    try:
        feedback.nudge(item, user=request.user)
    except feedback.FeedbackError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Reminder on its way to {item.interviewer}.")
    return redirect(f"{reverse('interview_detail', args=[interview.pk])}#feedback")


@admin_required
def feedback_settings(request):
    form = FeedbackSettingsForm(request.POST or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(
            request.tenant,
            "team.updated",
            "Updated the team's feedback settings",
            actor=request.user,
            obj=request.tenant,
            changed=form.changed_data,
        )
        messages.success(request, "Settings saved.")
        return redirect("feedback_settings")
    return render(
        request, "scheduling/feedback_settings.html", {"form": form, "nav_active": "settings"}
    )

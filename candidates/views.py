"""The recruiter's pages on the candidate side: the pipeline and a candidate's page."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import render
from django.utils import timezone

from scheduling.access import get_for_tenant, scheduler_required
from scheduling.models import Connection, Interviewer

from .forms import SORTS, PipelineFilterForm
from .models import Candidate, RemoteInterview
from .pipeline import STATE_BADGES, STATE_LABELS, applications_for, with_scheduling_state

PAGE_SIZE = 50


def _order_by(sort):
    field, _label = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-")
    if field.startswith("-"):
        field, descending = field[1:], not descending
    expression = f"-{field}" if descending else field
    return [expression, "candidate__name", "id"]


@scheduler_required
def pipeline(request):
    tenant = request.tenant
    form = PipelineFilterForm(request.GET, tenant=tenant)
    filters = form.filters()
    applications = applications_for(tenant, timezone.now())
    if filters.get("q"):
        q = filters["q"]
        applications = applications.filter(
            Q(candidate__name__icontains=q) | Q(candidate__email__icontains=q)
        )
    if filters.get("job"):
        applications = applications.filter(job=filters["job"])
    if filters.get("stage"):
        applications = applications.filter(status=filters["stage"])
    if filters.get("recruiter"):
        applications = applications.filter(job__recruiters=filters["recruiter"])
    if filters["state"] != "any":
        applications = applications.filter(scheduling_state=filters["state"])
    applications = applications.order_by(*_order_by(filters["sort"]))

    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "sort_links": _sort_links(query, filters["sort"]),
        "state_labels": STATE_LABELS,
        "state_badges": STATE_BADGES,
        "has_ats": Connection.objects.filter(
            tenant=tenant, category=Connection.Category.ATS
        ).exists(),
        "now": timezone.now(),
        "nav_active": "pipeline",
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "candidates/pipeline.html#pipeline-table", context)
    return render(request, "candidates/pipeline.html", context)


def _sort_links(query, current):
    """For each sortable column: the query string that sorts by it (toggling direction)."""
    links = {}
    for key in SORTS:
        q = QueryDict(mutable=True)
        q.update(query)
        q["sort"] = f"-{key}" if current == key else key
        links[key] = {
            "query": q.urlencode(),
            "active": current.lstrip("-") == key,
            "descending": current.startswith("-"),
        }
    return links


@scheduler_required
def candidate_detail(request, pk):
    tenant = request.tenant
    candidate = get_for_tenant(request, Candidate.objects, pk=pk)
    now = timezone.now()
    applications = list(
        with_scheduling_state(
            candidate.applications.filter(removed_at__isnull=True).select_related("job"),
            tenant,
            now,
        ).order_by("-applied_at")
    )
    remote_interviews = list(
        RemoteInterview.objects.filter(
            Q(candidate=candidate) | Q(application__candidate=candidate), tenant=tenant
        )
        .select_related("job")
        .order_by("-start_at")
    )
    user_ids = {uid for interview in remote_interviews for uid in interview.user_ids}
    names = dict(
        Interviewer.objects.filter(tenant=tenant, ats_user_id__in=user_ids).values_list(
            "ats_user_id", "name"
        )
    )
    for interview in remote_interviews:
        interview.interviewer_names = [names.get(uid, uid) for uid in interview.user_ids]
    return render(
        request,
        "candidates/candidate_detail.html",
        {
            "candidate": candidate,
            "applications": applications,
            "remote_interviews": remote_interviews,
            "state_labels": STATE_LABELS,
            "state_badges": STATE_BADGES,
            "now": now,
            "nav_active": "pipeline",
        },
    )

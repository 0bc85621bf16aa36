from django.db.models import Count, Q
from django.utils.functional import SimpleLazyObject

from .models import FeedbackRequest, Interview, Interviewer


def tenant(request):
    """The current membership for the navigation (lazy: no query unless a template asks)."""
    return {
        "membership": getattr(request, "membership", None),
        "my_interviewer": SimpleLazyObject(lambda: _my_interviewer(request)),
    }


def _my_interviewer(request):
    """The signed-in person's interviewer profile in the current tenant, with how much
    feedback waits for them (`pending_feedback`), or None."""
    if not request.user.is_authenticated or not getattr(request, "tenant", None):
        return None
    waiting = Q(
        feedback_requests__status__in=[
            FeedbackRequest.Status.REQUESTED,
            FeedbackRequest.Status.DRAFT,
        ],
        feedback_requests__interview__status=Interview.Status.SCHEDULED,
    )
    return (
        Interviewer.objects.filter(tenant=request.tenant, user=request.user)
        .annotate(pending_feedback=Count("feedback_requests", filter=waiting))
        .first()
    )

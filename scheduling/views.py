from django.contrib import messages
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .access import member_required
from .middleware import SESSION_KEY


@member_required()
def home(request):
    return render(request, "scheduling/home.html")


@require_POST
@member_required()
def switch_tenant(request):
    tenant_id = request.POST.get("tenant", "")
    membership = next((m for m in request.memberships if str(m.tenant_id) == tenant_id), None)
    if membership is None:
        messages.error(request, "You are not a member of that team.")
    else:
        request.session[SESSION_KEY] = str(membership.tenant_id)
        messages.success(request, f"Switched to {membership.tenant.name}.")
    return redirect("home")


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not: for load balancers and probes."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")

"""Small helpers that every recruiter view goes through: who may see what, in which tenant."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def member_required(*roles):
    """Sign-in required, and a membership in the current tenant with one of `roles` (any if
    none are named). Anonymous visitors go to the sign-in page; members of the wrong role get
    the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if not membership:
                raise PermissionDenied("You are not a member of any team in Convene yet.")
            if roles and membership.role not in roles:
                raise PermissionDenied("Your role in this team does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def scheduler_required(view):
    """For pages that run the pipeline: admins and recruiters."""
    return member_required("admin", "recruiter")(view)


def admin_required(view):
    """For the tenant's settings: admins only."""
    return member_required("admin")(view)


def get_for_tenant(request, queryset, **lookup):
    """The object matching `lookup` in the current tenant, or 404 — also when it exists in
    another tenant, so ids of other tenants reveal nothing."""
    return get_object_or_404(queryset, tenant=request.tenant, **lookup)

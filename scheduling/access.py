"""Small helpers that every view goes through: who may see what, in which tenant; and what
every public page opened by a token (a candidate's booking link, an interviewer's feedback
link) sends."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.csrf import csrf_exempt


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
    another tenant, so ids of other tenants reveal nothing, and when a value is no id at all
    (`?replaces=not-a-uuid`)."""
    try:
        return get_object_or_404(queryset, tenant=request.tenant, **lookup)
    except (ValidationError, ValueError) as exc:
        raise Http404 from exc


# --- public pages opened by a token ---------------------------------------------------------

# The token in their address is the key to a candidate's or an interviewer's data: no search
# engine keeps them, no other site learns the address from a Referer, no cache keeps a copy.
PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


def token_page(view):
    """Send PUBLIC_HEADERS with every answer of `view`, whatever it is (a problem page too)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        for header, value in PUBLIC_HEADERS.items():
            response[header] = value
        return response

    return wrapper


class _NoReferrerCsrf(CsrfViewMiddleware):
    """Django's CSRF check, for pages that send `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` (and no Referer) with the page's own form
    posts, which the stock check refuses. The token check still decides: the form's token
    must match the CSRF cookie, which is SameSite=Lax, so another site's post carries none.
    """

    def _origin_verified(self, request):
        return request.META.get("HTTP_ORIGIN") == "null" or super()._origin_verified(request)

    def _check_referer(self, request):
        if request.META.get("HTTP_REFERER"):
            super()._check_referer(request)


def csrf_protect_no_referrer(view):
    return csrf_exempt(decorator_from_middleware(_NoReferrerCsrf)(view))

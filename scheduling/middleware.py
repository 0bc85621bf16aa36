from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .lib import zones

SESSION_KEY = "tenant_id"


def _memberships(request):
    user = request.user
    if not user.is_authenticated:
        return []
    return list(user.memberships.select_related("tenant"))


def _current(request):
    """The membership chosen in the session, else the user's first; None for outsiders."""
    memberships = request.memberships
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if str(membership.tenant_id) == chosen:
            return membership
    return memberships[0]


class TenantMiddleware:
    """Resolves the tenant once per request, lazily, so public pages pay nothing.

    `request.memberships` lists the signed-in user's memberships (with their tenants);
    `request.membership` is the one in the current tenant, or None; `request.tenant` is its
    tenant, or None.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = SimpleLazyObject(lambda: _memberships(request))
        request.membership = SimpleLazyObject(lambda: _current(request))
        request.tenant = SimpleLazyObject(
            lambda: request.membership.tenant if request.membership else None
        )
        if request.user.is_authenticated:
            # Times are stored in UTC and shown in the viewer's zone.
            zone = request.user.timezone or (
                request.tenant.default_timezone if request.tenant else "UTC"
            )
            timezone.activate(zones.zone(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class EmptyAdminToFieldMiddleware:
    """Django's admin skips its `_to_field` check for an empty value and then looks up a
    field named "" (a 500 for /admin/…/delete/?_to_field=): an empty one is dropped, as if
    not given."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            for name in ("GET", "POST"):
                data = getattr(request, name)
                if "_to_field" in data and not data.get("_to_field"):
                    data = data.copy()
                    del data["_to_field"]
                    setattr(request, name, data)
        return self.get_response(request)

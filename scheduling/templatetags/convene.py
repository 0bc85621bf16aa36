"""Small template filters used across Convene's pages (loaded as a builtin)."""

from django import template
from django.utils import timezone

from ..lib import outside, zones

register = template.Library()


@register.filter
def days_since(value, now=None):
    """Whole days from `value` to now: 0 today, 1 yesterday, …; "" when unknown."""
    if not value:
        return ""
    now = now or timezone.now()
    return max(0, (now - value).days)


@register.filter
def in_zone(value, zone_name):
    """A datetime shown in the named IANA zone (UTC when the name is unknown)."""
    if not value:
        return value
    return value.astimezone(zones.zone(zone_name))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.filter
def is_web_url(value):
    """Whether `value` may be a link's href: http(s) only (lib.outside), so a `javascript:`
    URL stored before it was checked shows as text, never as a link."""
    return outside.is_web_url(value)


@register.filter
def is_email(value):
    """Whether `value` is one email address Convene can send to (lib.outside)."""
    return bool(outside.email_address(value))

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def check_time_zone(app_configs, **kwargs):
    """Convene stores UTC and converts per viewer; any other TIME_ZONE would shift stored times."""
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [
            Error(
                "Convene stores times in UTC: TIME_ZONE must be 'UTC' and USE_TZ True.",
                id="convene.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_unified_base_url(app_configs, **kwargs):
    """In production, Convene talks to Unified, not to a local sandbox. (Its credentials are
    checked sooner: with DEBUG off, settings refuse to load on the sandbox's.)"""
    if settings.DEBUG or not _is_loopback(settings.UNIFIED_BASE_URL):
        return []
    # A warning, not an error: a local egress proxy is conceivable, but the usual cause is a
    # forgotten variable leaving production talking to the sandbox `make run` starts.
    return [
        Warning(
            f"UNIFIED_BASE_URL is a loopback address ({settings.UNIFIED_BASE_URL}): "
            "Convene would talk to a local sandbox, not to Unified.",
            hint="Set UNIFIED_BASE_URL to https://api.unified.to (or your region's API).",
            id="convene.W001",
        )
    ]


def _is_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

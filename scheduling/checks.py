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


# Settings that must not keep the sandbox's well-known value in production.
SANDBOX_DEFAULTS = [
    (
        "UNIFIED_WEBHOOK_SECRET",
        "sandbox-webhook-secret",
        "UNIFIED_WEBHOOK_SECRET is the sandbox's default: anyone could forge webhooks.",
        "Set UNIFIED_WEBHOOK_SECRET to the workspace secret from Unified.",
        "convene.E002",
    ),
    (
        "UNIFIED_API_TOKEN",
        "sandbox-token",
        "UNIFIED_API_TOKEN is the sandbox's default token.",
        "Set UNIFIED_API_TOKEN to the workspace API token from Unified.",
        "convene.E003",
    ),
    (
        "UNIFIED_WORKSPACE_ID",
        "sandbox-workspace",
        "UNIFIED_WORKSPACE_ID is the sandbox's workspace.",
        "Set UNIFIED_WORKSPACE_ID to the workspace id from Unified.",
        "convene.E004",
    ),
]


@register(Tags.security, deploy=True)
def check_unified_credentials(app_configs, **kwargs):
    """In production, Unified must not run on the sandbox's well-known credentials."""
    errors = []
    if settings.DEBUG:
        return errors
    for name, sandbox_value, msg, hint, check_id in SANDBOX_DEFAULTS:
        if getattr(settings, name) == sandbox_value:
            errors.append(Error(msg, hint=hint, id=check_id))
    if _is_loopback(settings.UNIFIED_BASE_URL):
        # A warning, not an error: a local egress proxy is conceivable, but the usual cause
        # is a forgotten variable leaving production talking to the sandbox `make run` starts.
        errors.append(
            Warning(
                f"UNIFIED_BASE_URL is a loopback address ({settings.UNIFIED_BASE_URL}): "
                "Convene would talk to a local sandbox, not to Unified.",
                hint="Set UNIFIED_BASE_URL to https://api.unified.to (or your region's API).",
                id="convene.W001",
            )
        )
    return errors


def _is_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

from django.conf import settings
from django.core.checks import Error, Tags, register


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
def check_unified_credentials(app_configs, **kwargs):
    """In production, Unified must not run on the sandbox's well-known credentials."""
    errors = []
    if settings.DEBUG:
        return errors
    if settings.UNIFIED_WEBHOOK_SECRET == "sandbox-webhook-secret":
        errors.append(
            Error(
                "UNIFIED_WEBHOOK_SECRET is the sandbox's default: anyone could forge webhooks.",
                hint="Set UNIFIED_WEBHOOK_SECRET to the workspace secret from Unified.",
                id="convene.E002",
            )
        )
    if settings.UNIFIED_API_TOKEN == "sandbox-token":
        errors.append(
            Error(
                "UNIFIED_API_TOKEN is the sandbox's default token.",
                hint="Set UNIFIED_API_TOKEN to the workspace API token from Unified.",
                id="convene.E003",
            )
        )
    return errors

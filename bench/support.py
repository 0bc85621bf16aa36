"""What the benchmark scripts share: a free loopback port and Django set up on a throwaway
database with production-like settings (DEBUG off)."""

import os
import socket
import warnings

# Credentials for a sandbox a benchmark starts (running_sandbox(**BENCH_UNIFIED)): with DEBUG
# off, Convene refuses the sandbox's public defaults, as production must.
BENCH_UNIFIED = {
    "token": "bench-token",
    "workspace_id": "bench-workspace",
    "webhook_secret": "bench-webhook-secret",
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django(database_url, **environment):
    """Configure Django from the environment as production would (DEBUG off), on
    `database_url`, and migrate. Extra settings come as environment variables."""
    # DEBUG off makes WhiteNoise look for collected files, which benchmarks do not need.
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # With DEBUG off, settings refuse the sandbox's public credentials.
    os.environ.setdefault("UNIFIED_API_TOKEN", BENCH_UNIFIED["token"])
    os.environ.setdefault("UNIFIED_WORKSPACE_ID", BENCH_UNIFIED["workspace_id"])
    os.environ.setdefault("UNIFIED_WEBHOOK_SECRET", BENCH_UNIFIED["webhook_secret"])
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-" + "x" * 50,
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=database_url,
        **environment,
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

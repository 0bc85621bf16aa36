"""Settings as production loads them: in a fresh interpreter, from the environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3Qz-" + "x7Rr9pLm2Vb8Nc4Wd6Ft1Gy5Hu0Js3Ka8Le2Mz7Nq4Pw9Xv6Yt" * 2,
    "ALLOWED_HOSTS": "convene.example.com",
    "SITE_URL": "https://convene.example.com",
    "DATABASE_URL": "sqlite:////tmp/convene-deploy-check.sqlite3",
    "MAIL_URL": "smtp+tls://convene:mail-password@smtp.example.com:587",
    "UNIFIED_BASE_URL": "https://api.unified.to",
    "UNIFIED_API_TOKEN": "live-token-from-unified",
    "UNIFIED_WEBHOOK_SECRET": "live-secret-from-unified",
    "UNIFIED_WORKSPACE_ID": "5de520f96e439b002043d8dc",
}


def run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_refuses_to_start_and_names_it():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_deploy_check_is_clean_under_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "name", ["UNIFIED_API_TOKEN", "UNIFIED_WORKSPACE_ID", "UNIFIED_WEBHOOK_SECRET"]
)
@pytest.mark.parametrize("value", [None, "", "sandbox"])
def test_with_debug_off_a_unified_credential_left_to_the_sandbox_refuses_to_start(name, value):
    """As for SECRET_KEY: unset, empty, or the sandbox's public value, the app does not start
    (forged webhooks signed with the sandbox's secret would verify)."""
    sandbox = {
        "UNIFIED_API_TOKEN": "sandbox-token",
        "UNIFIED_WORKSPACE_ID": "sandbox-workspace",
        "UNIFIED_WEBHOOK_SECRET": "sandbox-webhook-secret",
    }
    env = {k: v for k, v in PRODUCTION.items() if k != name}
    if value is not None:
        env[name] = sandbox[name] if value == "sandbox" else value
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert f"{name} is not set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_with_debug_on_the_sandbox_credentials_are_the_defaults():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.UNIFIED_WEBHOOK_SECRET)",
        env={"DEBUG": "true"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sandbox-webhook-secret"


def test_deploy_check_warns_when_unified_still_points_at_the_local_sandbox():
    env = {k: v for k, v in PRODUCTION.items() if k != "UNIFIED_BASE_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "UNIFIED_BASE_URL" in result.stderr
    assert "UNIFIED_API_TOKEN" not in result.stderr


def test_deploy_check_warns_on_a_loopback_unified_base_url_by_name():
    env = {**PRODUCTION, "UNIFIED_BASE_URL": "http://localhost:9000"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "UNIFIED_BASE_URL" in result.stderr


def test_times_are_stored_in_utc():
    assert settings.TIME_ZONE == "UTC"
    assert settings.USE_TZ


def test_default_cache_is_shared_by_the_processes_make_run_starts():
    # The web server, the task worker and the periodic runner are separate processes: a
    # webhook clearing busy blocks in the worker must be seen by the web server at once.
    key = f"convene-shared-cache-probe-{os.getpid()}"
    dev = {"DEBUG": "true"}
    write = f"from django.core.cache import cache; cache.set({key!r}, 'seen', 60)"
    read = f"from django.core.cache import cache; print(cache.get({key!r})); cache.delete({key!r})"
    assert run_manage("shell", "--no-imports", "-c", write, env=dev).returncode == 0
    result = run_manage("shell", "--no-imports", "-c", read, env=dev)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "seen"


def test_tests_keep_the_per_process_memory_cache():
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")

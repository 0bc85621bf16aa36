"""Convene settings: one module, read top to bottom, every knob from the environment.

A fresh checkout runs with no variables set: SQLite in var/, console email, the database
task queue and the local Unified sandbox. Production sets DEBUG=false and the variables
listed in README.md ("Production"); with DEBUG off a missing secret (SECRET_KEY, or a Unified
credential left at the sandbox's public value) stops the app.
"""

import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# Django's deploy check flags keys with this prefix, so a production host that forgets
# DEBUG=false still cannot pass `check --deploy` with it.
_DEV_SECRET_KEY = "django-insecure-convene-development-key-not-for-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Convene needs a long random SECRET_KEY "
            "in the environment, e.g. the output of: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address of this site, used in emailed links and Unified Connect redirects.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "scheduling",
    "candidates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scheduling.middleware.TenantMiddleware",
    "scheduling.middleware.EmptyAdminToFieldMiddleware",
    # Last: turns a sign-in refused for too many failures into the page saying so.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scheduling.context_processors.tenant",
            ],
            "builtins": [
                "django.templatetags.static",
                "django_htmx.templatetags.django_htmx",
                "scheduling.templatetags.convene",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://… in production.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'convene.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so two bookings racing for
    # one slot are serialised by SQLite itself; WAL lets readers run beside the writer.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # PostgreSQL's JIT compiles the pipeline's query for ~50 ms to save a few: for short
        # web queries it only costs (measured with bench/pipeline.py).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "scheduling.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (django-axes; why axes: docs/design.md). After SIGN_IN_FAILURE_LIMIT
# failed sign-ins for one account, or from one client address (TRUSTED_PROXY_COUNT decides
# which, as for every rate limit), signing in there is refused for SIGN_IN_LOCKOUT_MINUTES,
# before any password is checked; each failure meanwhile starts the wait again. Convene
# staff lift a lockout in the Django admin (Axes → Access attempts: delete its rows).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("SIGN_IN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("SIGN_IN_LOCKOUT_MINUTES", default=15))
AXES_CLIENT_IP_CALLABLE = "scheduling.lib.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "scheduling.views.sign_in_locked"
# A success must not wipe the failures counted against its address (a guesser who also has
# an account would sign in to start again).
AXES_RESET_ON_SUCCESS = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# Times are stored in UTC and converted to a person's zone only for display (checks.py).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise; hashed names when DEBUG is off (run collectstatic).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development (and tests) WhiteNoise serves straight from the source folders.
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Email through Django 6.1 mailers. Default: printed to the console. Production: MAIL_URL
# such as smtp+tls://user:password@smtp.example.com:587, or MAIL_BACKEND for a provider.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Convene <scheduling@convene.localhost>"
)
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
_mail_url = env.str("MAIL_URL", default="")
if _mail_url:
    _mail = env.email_url_config(_mail_url)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _mail["EMAIL_HOST"],
                "port": _mail["EMAIL_PORT"],
                "username": _mail["EMAIL_HOST_USER"],
                "password": _mail["EMAIL_HOST_PASSWORD"],
                "use_tls": _mail.get("EMAIL_USE_TLS", False),
                "use_ssl": _mail.get("EMAIL_USE_SSL", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": env.str(
                "MAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
            )
        }
    }

# Background work: django.tasks on the database queue; `manage.py db_worker` runs it.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# `make run` starts the web server, the task worker and the periodic runner as separate
# processes, and a webhook handled by the worker clears busy blocks the web server reads: the
# default cache must be shared by every process on the machine, so it is files under var/.
# Several machines need a cache they all reach (CACHE_URL, e.g. redis://...).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
# How long a task worker holds an outbox operation before another may take it over.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)
# The first pause before an outbox operation is retried; later ones double.
OUTBOX_BACKOFF_SECONDS = env.float("OUTBOX_BACKOFF_SECONDS", default=30.0)

# Unified.to. The defaults point at the local sandbox that `make run` starts, whose
# credentials are public (scheduling/unified/sandbox): with DEBUG off Convene refuses to start
# on them, as on a missing SECRET_KEY (anyone could sign webhooks with the sandbox's secret).
UNIFIED_BASE_URL = env.str("UNIFIED_BASE_URL", default="http://127.0.0.1:8765").rstrip("/")
_SANDBOX_TOKEN = "sandbox-token"
_SANDBOX_WORKSPACE = "sandbox-workspace"
_SANDBOX_WEBHOOK_SECRET = "sandbox-webhook-secret"
UNIFIED_API_TOKEN = env.str("UNIFIED_API_TOKEN", default=_SANDBOX_TOKEN)
UNIFIED_WORKSPACE_ID = env.str("UNIFIED_WORKSPACE_ID", default=_SANDBOX_WORKSPACE)
UNIFIED_WEBHOOK_SECRET = env.str("UNIFIED_WEBHOOK_SECRET", default=_SANDBOX_WEBHOOK_SECRET)
_sandbox_credentials = [
    name
    for name, value, sandbox in (
        ("UNIFIED_API_TOKEN", UNIFIED_API_TOKEN, _SANDBOX_TOKEN),
        ("UNIFIED_WORKSPACE_ID", UNIFIED_WORKSPACE_ID, _SANDBOX_WORKSPACE),
        ("UNIFIED_WEBHOOK_SECRET", UNIFIED_WEBHOOK_SECRET, _SANDBOX_WEBHOOK_SECRET),
    )
    if value in ("", sandbox)
]
if _sandbox_credentials and not DEBUG:
    raise ImproperlyConfigured(
        f"{', '.join(_sandbox_credentials)} "
        f"{'is' if len(_sandbox_credentials) == 1 else 'are'} not set, or still the local "
        "sandbox's public value. With DEBUG off Convene needs the API token, the workspace id "
        "and the webhook secret of your Unified workspace in the environment."
    )
UNIFIED_ENV = env.str("UNIFIED_ENV", default="Production")
UNIFIED_CONNECT_TIMEOUT = env.float("UNIFIED_CONNECT_TIMEOUT", default=5.0)
UNIFIED_READ_TIMEOUT = env.float("UNIFIED_READ_TIMEOUT", default=30.0)
# How many calls an ATS sync keeps in flight for one connection (Unified's rate limits are
# per connection; the client waits out 429s with their Retry-After).
UNIFIED_SYNC_CONCURRENCY = env.int("UNIFIED_SYNC_CONCURRENCY", default=8)

# Security. With DEBUG off the secure choices are the defaults; each can be overridden.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours each request passes, each appending to X-Forwarded-For: the
# client's address (rate limits, visit networks) is the one the outermost of them saw.
# 0: the address the web server sees (a proxy would make every client share its address).
TRUSTED_PROXY_COUNT = max(0, env.int("TRUSTED_PROXY_COUNT", default=0))
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
# Connect sends the browser to Unified (or the sandbox), so forms may only post here.
SECURE_CSP["form-action"] = [CSP.SELF]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.server": {"level": "INFO"},
        "scheduling.unified": {"level": env.str("UNIFIED_LOG_LEVEL", default="INFO")},
    },
}

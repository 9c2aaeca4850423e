"""One env-driven settings module.

With no environment at all the app runs on SQLite, eager Celery and a local-memory
cache (the demo). ``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to a real
Celery broker and result backend. Bad values fail loudly at start-up.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "insecure-development-key-only-for-the-demo-never-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "simple_history",
    "django_filters",
    "django_htmx",
    "import_export",
    "organisations",
    "children",
    "placements",
    "reviews",
    "health",
    "imports",
    "scorecards",
    "api",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Access refusals of organisations.permissions → 404 / 403 pages.
    "organisations.middleware.AccessRefusedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "organisations.errors.ReaderBadRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during sign-in into the page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # Set for the web processes by config/gunicorn.conf.py; 0 (no limit) for the rest.
    DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 0)
    if DATABASE_STATEMENT_TIMEOUT_MS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (
            f"{options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
        ).strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
            "OPTIONS": {"timeout": 30},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 55 * 60)
# Redis hands an unacknowledged task to another worker after this many seconds (Redis' own
# default is one hour whatever the limits say). Longer than the hard time limit, so a task
# still running is never given to a second worker; a task whose worker died comes back
# after it (an import or recompute it held shows "interrupted" long before: WORK_LEASE_SECONDS).
CELERY_BROKER_VISIBILITY_TIMEOUT = env_int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 10 * 60
)
if CELERY_BROKER_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_BROKER_VISIBILITY_TIMEOUT must be longer than CELERY_TASK_TIME_LIMIT, or a task "
        "still running would be handed to a second worker"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A lost broker connection leaves running tasks running: imports and recomputes hold a lease
# in the database, so the copy Redis redelivers later finds the work done (or in hand).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "Europe/London"

# Fault tolerance (README "Running in production"). A running import or recompute renews a
# lease in the database every third of WORK_LEASE_SECONDS; one not renewed for that long was
# held by a process that died, and the lost-work sweep marks it interrupted.
WORK_LEASE_SECONDS = env_int("WORK_LEASE_SECONDS", 90)
if WORK_LEASE_SECONDS < 3:
    raise ImproperlyConfigured("WORK_LEASE_SECONDS must be at least 3")
# How many times a task starts the same import or recompute before one that keeps being
# interrupted (a file that exhausts the worker's memory) is left for an admin.
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 2)
# Every few minutes Celery beat sends queued work whose task was lost (the broker was down
# or lost its data) again and marks work whose process died as interrupted.
LOST_WORK_SWEEP_MINUTES = env_int("LOST_WORK_SWEEP_MINUTES", 5)
if LOST_WORK_SWEEP_MINUTES < 1:
    raise ImproperlyConfigured("LOST_WORK_SWEEP_MINUTES must be at least 1")
# Each worker records a heartbeat this often; /health/ reports a worker missing once the
# newest heartbeat is three intervals old.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30)
if WORKER_HEARTBEAT_SECONDS < 1:
    raise ImproperlyConfigured("WORKER_HEARTBEAT_SECONDS must be at least 1")


# Every periodic task is scheduled here, in one place (style.md rule 9).
def env_crontab(name: str, default: str) -> crontab:
    """A five-field cron expression (minute hour day-of-month month day-of-week)."""
    raw = os.environ.get(name) or default
    fields = raw.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(f"{name} must have five cron fields, not {raw!r}")
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid cron expression: {raw!r}") from exc


CELERY_BEAT_SCHEDULE = {
    "scorecards-nightly-recompute": {
        # The current month of every authority, as of today, plus any month just closed.
        "task": "scorecards.tasks.recompute_nightly_task",
        "schedule": crontab(hour=2, minute=30),
    },
    "worklists-weekly-digest": {
        # Each team manager's worklist counts and a link (no names): Monday 07:00 by default.
        "task": "reviews.tasks.worklist_digest_task",
        "schedule": env_crontab("WORKLIST_DIGEST_CRON", "0 7 * * mon"),
    },
    "worklists-warm-up": {
        # Today's worklists of every team, built from 06:00 (before managers arrive) and
        # rebuilt every 10 minutes through the day so they never outlive
        # WORKLIST_CACHE_SECONDS yet a first view is a cache read.
        "task": "reviews.tasks.worklists_warm_task",
        "schedule": env_crontab("WORKLIST_WARM_CRON", "*/10 6-19 * * *"),
        "kwargs": {"force": True},
    },
    "imports-rejected-files-delete": {
        # A rejected upload's files, IMPORT_REJECTED_FILES_KEEP_DAYS after the rejection.
        "task": "imports.tasks.rejected_upload_files_delete_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "lost-work-sweep": {
        # Pending imports and queued recomputes whose task was lost are sent again; imports
        # and recomputes whose process died are marked interrupted (recomputes resumed).
        "task": "operations.tasks.lost_work_sweep_task",
        "schedule": timedelta(minutes=LOST_WORK_SWEEP_MINUTES),
    },
}


def redis_cache(url: str) -> dict:
    """The cache on Redis, as an optimisation only: while Redis is unreachable every read is
    a miss and every write is skipped (with a warning), so pages are built afresh, not 500s."""
    return {
        "BACKEND": "operations.cache.FailSoftRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per process, for rendered fragments whose keys name the data they show (worklists): no
# round trip to Redis for a page the same worker has just rendered.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "process-local",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The Django admin's reference-data permissions come with the admin role of an authority.
    "organisations.backends.RolePermissionsBackend",
]
# Lockout after repeated failed sign-ins (roles.md): per user name from one address, for a
# cool-off period; a superuser clears it early with ``manage.py axes_reset_username``.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "organisations.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "organisations.services.client_address_of"
AXES_SENSITIVE_PARAMETERS = ["password"]
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (the TLS proxy of
# the README: 1). 0 trusts no header: every address is REMOTE_ADDR. Read by the one
# function behind audit rows, sign-in lockout and API throttles (client_address_of).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media-not-served/"

# Uploads: roles.md default 100 MB, stored outside the web root.
# The limit is for all the files of one upload (form, API or command) together.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_MB", 100) * 1024 * 1024
IMPORT_MAX_ISSUES_REPORTED = env_int("IMPORT_MAX_ISSUES_REPORTED", 1000)
# Widths checked before a file is parsed: a hostile 1,000,000-column header is refused at once.
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 1000)
IMPORT_MAX_LINE_BYTES = env_int("IMPORT_MAX_LINE_KB", 1024) * 1024
# A rejected batch's stored files are deleted this many days after it finished.
IMPORT_REJECTED_FILES_KEEP_DAYS = env_int("IMPORT_REJECTED_FILES_KEEP_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FEED_STALE_AFTER_DAYS = env_int("FEED_STALE_AFTER_DAYS", 45)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "scorecards@localhost")
# Absolute links in e-mail (the weekly worklist digest).
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# Team worklists are cached this many seconds per team and day (0: never); an import or a
# recompute changes the key, so only edits made outside imports wait this long to show.
WORKLIST_CACHE_SECONDS = env_int("WORKLIST_CACHE_SECONDS", 900)
# Scorecard, dashboard and demographics sections are cached this many seconds (0: never);
# the key names the snapshot version, targets, benchmarks and commentary, so this only
# bounds what the key cannot see (templates and wording of a new release).
SCORECARD_PAGE_CACHE_SECONDS = env_int("SCORECARD_PAGE_CACHE_SECONDS", 3600)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "not signed in" a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.throttles.LockableTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: DRF's own browsable pages use inline script and style, which the CSP
    # forbids; the browsable documentation is Swagger UI at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.AnonThrottle", "api.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "30/minute",
        "user": f"{env_int('API_THROTTLE_PER_MINUTE', 600)}/minute",
        "upload": f"{env_int('API_UPLOADS_PER_HOUR', 60)}/hour",
        # Failed authentications (401) per client address: see api/throttles.py.
        "auth_failure": f"{env_int('API_FAILED_AUTH_PER_MINUTE', 30)}/minute",
    },
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Corporate Parenting Scorecards API",
    "DESCRIPTION": (
        "Aggregates (authorities, the indicator registry, monthly snapshots, trends) for "
        "every role of an authority; worklists for team managers and admins; extract uploads "
        "for admins. Session or token authentication; the same scope and audit as the pages."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.error_responses_add",
    ],
}

# Production hardening (roles.md): on whenever DEBUG is off.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and monitors probe /health/ over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-import-export in the Django admin: importing needs the model's "add" permission and
# exporting its "view" permission (by default any staff user could import into any model).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every spreadsheet the admin exports has its formula-like text cells neutralised
# (organisations/spreadsheets.py says why the library's own escaping is not enough).
from organisations import spreadsheets  # noqa: E402

IMPORT_EXPORT_FORMATS = spreadsheets.FORMATS
# Imports in the admin run while the page waits: larger files are refused with a message
# (organisations/spreadsheet_admin.py).
ADMIN_IMPORT_MAX_MB = env_int("ADMIN_IMPORT_MAX_MB", 5)
ADMIN_IMPORT_MAX_ROWS = env_int("ADMIN_IMPORT_MAX_ROWS", 2000)

# Content Security Policy (roles.md): no inline script and no inline style anywhere; every
# script and style sheet is a file served from /static/ (the API docs included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

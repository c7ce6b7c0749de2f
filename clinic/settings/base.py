"""Settings shared by every environment. Values that differ per deployment come from
the environment (see .env.example); dev.py, test.py and production.py adjust them."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from clinic.db_timeouts import apply_to as apply_db_timeouts
from clinic.postgresql.prepared_statements import apply_to as apply_prepared_statements

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    # Django's admin with a site that opens by role, not by is_staff (issue 10).
    "clinic.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "patients",
    "treatments",
    "clinic.reports",  # dashboard, reports, exports, change history (issue 5)
    "clinic.diary",  # appointments, working hours, booking checks (issue 15)
    "clinic.staff",  # staff accounts and roles for managers (issue 10), not the user admin
    "django_tasks_db",  # background tasks stored in the database (issue 12.2)
    "clinic.jobs",  # the worker's heartbeat and the failed-jobs page (clinic.background)
    # Last, so that its post_migrate role sync runs after every app's permissions exist.
    "clinic",
]

MIDDLEWARE = [
    # First (outermost): the request id, one log line per request, the busy page (issue 12).
    "clinic.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # request.user from the session row, its user joined (clinic.request_user, issue 14.1).
    "clinic.request_user.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clinic.middleware.NoStoreMiddleware",
    "clinic.middleware.FriendlyMethodNotAllowedMiddleware",  # a page for a direct visit
    # Inside the header middleware above (their redirects get the same headers) and
    # after messages (they say why the user was signed out): the second factor
    # (django-otp), the idle/absolute session limits, the two-factor gate.
    "clinic.middleware.RejectNulBytesMiddleware",
    "clinic.request_user.OTPMiddleware",  # django-otp's, without its per-request query
    "clinic.middleware.SessionLimitsMiddleware",
    "clinic.middleware.TwoFactorMiddleware",
    # The connection in the plan_cache_mode the view asks for: the session editor's statements
    # planned once per connection, not on each of their first five runs (issue 14.3);
    # DATABASE_GENERIC_PLANS=off leaves it out (clinic/postgresql/plan_cache.py).
    "clinic.postgresql.plan_cache.PlanCacheMiddleware",
    # Last: turns a locked-out login into the lockout page (django-axes).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.navigation",
                "clinic.context_processors.session_limits",
            ],
        },
    },
]

# DATABASE_URL selects PostgreSQL (postgres://user:pass@host/db); without it, a SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # 600 s: a connection's prepared statements (below) are what make the everyday
        # writes fast, and at 60 s the connection, and they, were renewed every minute.
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
# PostgreSQL through Django's backend with a health check that sends its SELECT 1 only
# when the connection's socket says something happened (clinic/postgresql/base.py).
POSTGRESQL_ENGINE = "clinic.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default under several staff at once: the write-ahead log lets reads
    # go on during a write; write transactions start IMMEDIATE so two writers queue for
    # the lock instead of one failing when it upgrades from reading; a writer waits up
    # to SQLITE_BUSY_TIMEOUT seconds before "database is locked" (answered as a
    # "please try again" with the form kept, clinic.idempotency).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("SQLITE_BUSY_TIMEOUT", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# PostgreSQL (issue 12, clinic/db_timeouts.py): every connection starts with
# statement_timeout DATABASE_STATEMENT_TIMEOUT_MS (15000), lock_timeout
# DATABASE_LOCK_TIMEOUT_MS (5000), idle_in_transaction_session_timeout
# DATABASE_IDLE_TX_TIMEOUT_MS (60000) and connect_timeout DATABASE_CONNECT_TIMEOUT (5 s),
# in the libpq startup options: no extra query. A request that hits one gets the busy page.
apply_db_timeouts(DATABASES["default"])
# PostgreSQL: statements prepared on the server once a connection has run them
# (DATABASE_PREPARE_THRESHOLD, default 1: at the second run; "off" for a pooler that
# cannot keep them): clinic/postgresql/prepared_statements.py.
apply_prepared_statements(DATABASES["default"])
# The session editor's statements planned generically, once per connection
# (clinic/postgresql/plan_cache.py); DATABASE_GENERIC_PLANS=off: as PostgreSQL decides.
DATABASE_GENERIC_PLANS = env_bool("DATABASE_GENERIC_PLANS", True)
# A read replica for the dashboard and reports (clinic/db_router.py), when configured.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = apply_db_timeouts(
        dj_database_url.parse(
            DATABASE_REPLICA_URL,
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        )
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["ENGINE"] = POSTGRESQL_ENGINE
    apply_prepared_statements(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["clinic.db_router.ReplicaRouter"]
# Seconds a busy page tells the browser to wait (Retry-After).
DATABASE_BUSY_RETRY_AFTER = int(os.environ.get("DATABASE_BUSY_RETRY_AFTER", "5"))
# /healthz/ready (clinic/health.py): how long the database may take to answer, and how
# old the worker's heartbeat may be before ready says "degraded".
HEALTHZ_DB_TIMEOUT_MS = int(os.environ.get("HEALTHZ_DB_TIMEOUT_MS", "1000"))
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "120"))
# The request id (clinic/request_log.py): taken from X-Request-ID only when the proxy in
# front sets it (and overwrites any the client sent); otherwise generated here.
REQUEST_ID_FROM_PROXY = env_bool("REQUEST_ID_FROM_PROXY", False)

# Stateless app servers (issue 12.8): sessions are in the database, one row per session
# with its user id and access snapshot (clinic.session_store: the session, the user and
# what the page may show in one query, issue 14.1); the cache is Redis when CACHE_URL is
# set (redis://host:6379/1, shared by every app server), this process's memory otherwise.
SESSION_ENGINE = "clinic.session_store"
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Database roles (PostgreSQL; docs/operations.md "Database roles"). DATABASE_URL is the
# role the app runs as. DATABASE_OWNER_URL (optional) is the role that owns the tables:
# migrations run as it (the migrate step swaps it into DATABASE_URL and passes the app's
# URL as DATABASE_RUNTIME_URL), and after every migrate it grants DATABASE_RUNTIME_ROLE
# (default: the user of the app's URL, when it differs from the owner's) what the app
# needs and no more (clinic.db_roles).
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "").strip()
DATABASE_RUNTIME_URL = (
    os.environ.get("DATABASE_RUNTIME_URL") or os.environ.get("DATABASE_URL") or ""
).strip()


def _database_user(url: str) -> str:
    return (dj_database_url.parse(url).get("USER") or "") if url else ""


DATABASE_RUNTIME_ROLE = os.environ.get("DATABASE_RUNTIME_ROLE", "").strip()
if not DATABASE_RUNTIME_ROLE and DATABASE_OWNER_URL:
    _runtime_user = _database_user(DATABASE_RUNTIME_URL)
    if _runtime_user and _runtime_user != _database_user(DATABASE_OWNER_URL):
        DATABASE_RUNTIME_ROLE = _runtime_user
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords per OWASP ASVS 5.0 (V6.2): at least 12 characters, at least 64 allowed (128
# here), no composition rules, checked offline against Django's common-password list.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "clinic.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Set-password links for staff (clinic.staff, issue 10) use Django's password-reset
# tokens: valid this long (72 hours, so a link sent on a Friday still works on Monday),
# and dead as soon as the password changes.
PASSWORD_RESET_TIMEOUT = 72 * 60 * 60

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# UK first: English dates (dd/mm/yyyy), Europe/London time, stored in UTC.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
FORMAT_MODULE_PATH = ["clinic.formats"]
# Every form's <input>, <select> and <option> written in Python (clinic.form_rendering):
# Django's widget templates render an include per <option>, and a page of selects (the
# reports' filters: practitioners, indications, products) spent most of its template time
# there. The same characters (tests/clinic/test_form_rendering.py); any other
# widget template renders through Django's templates as before.
FORM_RENDERER = "clinic.form_rendering.WidgetRenderer"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / ".staticfiles"
STATICFILES_DIRS = [BASE_DIR / "clinic" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Background work (issue 12.2; clinic/background.py, docs/operations.md "Background
# worker"): Django's Tasks framework. TASKS_BACKEND=database (default) keeps the queue in
# the clinic's own database, run by `manage.py worker`; TASKS_BACKEND=redis moves it to
# Redis (REDIS_URL) for a group of clinics, with django-tasks-rq and django-rq installed
# and `manage.py rqworker --job-class django_tasks_rq.Job` as the worker.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower()
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL") or "redis://localhost:6379/0"}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A failed task runs again up to this many attempts in all, waiting BACKOFF, then 2x, 4x.
TASKS_MAX_ATTEMPTS = int(os.environ.get("TASKS_MAX_ATTEMPTS", "3"))
TASKS_RETRY_BACKOFF_SECONDS = float(os.environ.get("TASKS_RETRY_BACKOFF_SECONDS", "30"))
# CSV downloads above this many rows are prepared by the worker (Exports page).
REPORT_EXPORT_ASYNC_ROWS = int(os.environ.get("REPORT_EXPORT_ASYNC_ROWS", "5000"))
# Prepared files (report exports, subject-access copies): a private folder, never
# under a static or media URL; served only by permission-checked views.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT") or BASE_DIR / "var" / "exports")
STORAGES["private"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# In the session, except messages that name nobody (a signed cookie: no session write).
MESSAGE_STORAGE = "clinic.flash.SessionUnlessNamesNobodyStorage"

# Security headers that hold everywhere; production.py adds the TLS-only ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions (issue 6): signed out after 15 minutes without a request and 12 hours after
# signing in, whatever the activity (clinic.middleware.SessionLimitsMiddleware). A warning
# shows this many seconds before the idle limit, with a button to stay signed in.
SESSION_IDLE_TIMEOUT = 15 * 60
SESSION_ABSOLUTE_TIMEOUT = 12 * 60 * 60
SESSION_IDLE_WARNING = 2 * 60
# Last activity is written to the session at most this often (seconds), so that a page
# view does not cost a session write each time; idle logout is exact to within this.
SESSION_ACTIVITY_RESOLUTION = 60
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CSRF_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_TIME; every
# attempt is logged (axes' AccessAttempt / AccessFailureLog, readable in the admin).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "clinic.audit.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password"]
# Behind a reverse proxy, how many X-Forwarded-For hops to trust for the client address
# (access log and lockouts); 0 means use the connection's address.
AUDIT_TRUSTED_PROXY_COUNT = int(os.environ.get("AUDIT_TRUSTED_PROXY_COUNT", "0"))

# Two-factor (django-otp, TOTP): required for roles holding clinic.requires_two_factor
# (practitioners and managers, clinic/roles.py) when OTP_REQUIRED is on, as in
# production; optional otherwise (anyone may enrol from the account page).
OTP_REQUIRED = env_bool("OTP_REQUIRED", False)
OTP_TOTP_ISSUER = os.environ.get("CLINIC_NAME", "Kensington Neurotoxin Clinic")

CLINIC_NAME = os.environ.get("CLINIC_NAME", "Kensington Neurotoxin Clinic")
# `manage.py seed_demo` creates logins with a published password: allowed here (the demo,
# the tests, the benchmarks' throwaway databases), refused under production settings
# unless DEMO_SEED_ALLOWED=1 says the database is a throwaway one (docs/security.md V6.3.2).
DEMO_SEED_ALLOWED = env_bool("DEMO_SEED_ALLOWED", True)
CLINIC_ADDRESS = os.environ.get("CLINIC_ADDRESS", "12 Abingdon Road, Kensington, London W8 6AF")
# Prefix of the human-facing clinic record number (K000123).
CLINIC_RECORD_PREFIX = os.environ.get("CLINIC_RECORD_PREFIX", "K")
PATIENT_SEARCH_LIMIT = 25
# Diary (issue 15): a patient's cancellation this close to the start counts as late
# (practice policy, shown on the dashboard), not a clinical threshold.
DIARY_LATE_CANCELLATION_HOURS = int(os.environ.get("DIARY_LATE_CANCELLATION_HOURS", "48"))
# ... unless it comes this soon after the booking was made (a booking undone at once).
DIARY_LATE_CANCELLATION_GRACE_MINUTES = int(
    os.environ.get("DIARY_LATE_CANCELLATION_GRACE_MINUTES", "60")
)
# Messages to patients (issue 15.5; clinic/diary/messaging): appointment reminders go this
# many hours before the start; the address they come from; SMS through SMS_PROVIDER:
# "recording" (a fake that sends nothing: the demo and the tests), "twilio" (Twilio's REST
# API, TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN, from SMS_FROM), or "" (no SMS: skipped).
DIARY_REMINDER_HOURS = int(os.environ.get("DIARY_REMINDER_HOURS", "48"))
CLINIC_FROM_EMAIL = os.environ.get("CLINIC_FROM_EMAIL", "appointments@clinic.example")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "020 7946 0000")
SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "recording").strip().lower()
SMS_FROM = os.environ.get("SMS_FROM", "")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
# Where the links in messages point (the unsubscribe link): the public https address.
CLINIC_BASE_URL = os.environ.get("CLINIC_BASE_URL", "http://localhost:8000").rstrip("/")

# Logs (issue 12.6): every record carries the request id; `clinic.request` writes one
# key=value line per request (clinic/request_log.py). No patient-identifiable data: so no
# request path either (a patient's id, a typed search, a calendar link's secret), which
# Django's own request loggers would write. django.request (4xx/5xx, with the path and the
# exception's message) and django.server (runserver's access line, with the query string)
# are off: clinic.request's line has the status, the route and the exception without its
# message. django.security keeps its events, the path replaced by the route.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "clinic.request_log.RequestIdFilter"},
        "no_path": {"()": "clinic.request_log.NoRequestPathFilter"},
    },
    "formatters": {
        "clinic": {"format": "%(asctime)s %(levelname)s %(name)s %(request_prefix)s%(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "no_path"],
            "formatter": "clinic",
        },
        # Off means a handler that drops the record: a logger with no handler at all has
        # its warnings printed to stderr by Python's last-resort handler (security review
        # 07/12/2026: "Forbidden (Permission denied): /patients/<id>/..." with its
        # traceback, and runserver's lines with a search's query string).
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"handlers": ["null"], "propagate": False},
        "django.server": {"handlers": ["null"], "propagate": False},
    },
}

# Error reporting (optional): SENTRY_DSN set -> sentry-sdk, personal data scrubbed
# (clinic/error_reporting.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "").strip()
if SENTRY_DSN:
    from clinic.error_reporting import init_sentry

    init_sentry(SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", "production"))

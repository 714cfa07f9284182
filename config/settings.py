"""Koers settings: one module, every value read from the environment.

Defaults are safe for production (DEBUG off, secure cookies) except where the
embedded development set-up (`make run`) needs otherwise; `.env.example` explains every
variable. Nothing secret lives in this file.
"""

from datetime import date
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(env_file)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY")
if not SECRET_KEY.strip():
    raise environ.ImproperlyConfigured("SECRET_KEY is empty: set it in the environment")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    # Koers apps. Which may import which is stated once, as the layers contract in
    # pyproject.toml ([tool.importlinter]); README "Architecture on one page" explains it.
    "accounts",
    "students",
    "roadmap",
    "monitoring",
    "referrals",
    "doorstroomtafel",
    "reports",
    "portal",
    "api",
    "caseload",
    "documents",
    "casework",
    "planner",
]

MIDDLEWARE = [
    # First: a database that is down is a Dutch 503 page (config.errors).
    "config.errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The API-Version header on every answer under /api/ (api/middleware.py).
    "api.middleware.ApiVersionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Security (accounts/security.py): session timeouts, the second factor, rate limits,
    # headers. After messages (it leaves a message on timeout) and before the membership.
    "accounts.security.SecurityMiddleware",
    "accounts.middleware.ActiveMembershipMiddleware",
    # A student account reaches only the portal (/mijn/); every other page is a 404.
    "portal.middleware.StudentAccountBoundaryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
# Default: an embedded SQLite file, so `make run` needs no server. Production and CI
# set DATABASE_URL to PostgreSQL (postgres://user:pass@host:5432/name).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'koers.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web server and the Celery worker share
    # the file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Pages and API calls are short queries from many people at once: a parallel worker
    # costs more to start (about 5 ms, measured at 500,000 students) than it saves, and
    # takes a core from another request. The batch work (monitoring.sweep_sql,
    # reports.db.report_transaction) asks for KOERS_BATCH_PARALLEL_WORKERS again.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(None, [_options.get("options"), "-c max_parallel_workers_per_gather=0"])
    )
KOERS_BATCH_PARALLEL_WORKERS = env.int("KOERS_BATCH_PARALLEL_WORKERS", default=2)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out user before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user with their memberships in one query.
    "accounts.backends.MembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time -------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploads are administration files: keep them in memory up to 10 MB, refuse over 50 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# A bulk action's selection posts one field per record (caseload.bulk.MAX_SELECTION, 5,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_100
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions die after 30 idle minutes and 12 hours after login, whatever the activity
# (accounts/security.py); logout and deactivation end every session of the user.
KOERS_SESSION_IDLE_SECONDS = env.int("KOERS_SESSION_IDLE_SECONDS", default=30 * 60)
KOERS_SESSION_ABSOLUTE_SECONDS = env.int("KOERS_SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Two-factor login (django-otp, TOTP plus one-time backup codes) for every account. Only
# with DEBUG on may the demo accounts of `make run` skip it (KOERS_DEMO_SKIP_2FA=true).
KOERS_DEMO_SKIP_2FA = DEBUG and env.bool("KOERS_DEMO_SKIP_2FA", default=False)
OTP_TOTP_ISSUER = "Koers"
# django-axes: 5 failures for one user from one address lock that pair for a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Behind a reverse proxy, the client's address is in X-Forwarded-For: without these, every
# user would share the proxy's address (one lockout for a whole office). The number of
# proxies in front of Koers, and the headers to read the address from, in order.
# accounts.security.client_ip reads them (django-ipware is not installed): with 0 only
# REMOTE_ADDR counts, behind N proxies the N-th address from the right of the header.
AXES_IPWARE_PROXY_COUNT = env.int(
    "AXES_IPWARE_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0)
)
AXES_IPWARE_META_PRECEDENCE_ORDER = env.list(
    "AXES_IPWARE_META_PRECEDENCE_ORDER", default=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
# Content Security Policy without inline scripts or styles (accounts/security.py).
KOERS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
# Per-user rate limits: (requests, seconds) for searches and for exports and downloads.
KOERS_RATE_LIMITS = {
    "search": (env.int("KOERS_RATE_SEARCH", default=60), 60),
    "export": (env.int("KOERS_RATE_EXPORT", default=20), 60),
    # Per API client (api/authentication.py): requests per minute.
    "api": (env.int("KOERS_RATE_API", default=600), 60),
}
# Retention (ACCESS.md): personal data goes this many years after monitoring ended.
KOERS_RETENTION_YEARS = env.int("KOERS_RETENTION_YEARS", default=2)
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# --- E-mail -------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Koers <noreply@koers.local>")

# --- Celery -------------------------------------------------------------------------
# With REDIS_URL set, Redis is the broker and result store. Without it, kombu's
# filesystem transport gives a real worker and beat that need no server (make run).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DATA_DIR = Path(env.str("CELERY_DATA_DIR", default=str(VAR_DIR / "celery")))
# The longest any task may run (seconds): the hard limit kills it, the soft limit
# (5 minutes earlier) lets it stop cleanly. Every task sets its own limits from these
# (monitoring/reports/students tasks); orphaned temporary files older than this are
# removed by the hourly sweep (reports.services).
KOERS_TASK_TIME_LIMIT = env.int("KOERS_TASK_TIME_LIMIT", default=60 * 60)
KOERS_TASK_SOFT_TIME_LIMIT = KOERS_TASK_TIME_LIMIT - 5 * 60
CELERY_TASK_TIME_LIMIT = KOERS_TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = KOERS_TASK_SOFT_TIME_LIMIT
# Retries of a task after a database error: exponential backoff up to this many seconds.
KOERS_TASK_RETRY_BACKOFF_MAX = 10 * 60
# Redis gives an unacknowledged message (acks_late: a task whose worker was killed) to
# another worker after the visibility timeout. It must be longer than the longest task
# (else a running task is delivered twice) and than the longest countdown of a retry
# (Redis treats a waiting message the same way): the time limit plus an hour.
CELERY_VISIBILITY_TIMEOUT = KOERS_TASK_TIME_LIMIT + 60 * 60
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = f"file://{CELERY_DATA_DIR / 'results'}"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A web request that queues a task waits at most about a second for a broker that is
# down, then tells the user to try again (reports.views.export_job_start).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Django's LOGGING (with its filter of database errors) stays in charge in the worker.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(
    Path(env.str("CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")))
)
# The beat schedule lives in config/celery.py, in one place with readable names.

# --- Cache: rate-limit counters shared by every process --------------------------------
# Short timeouts: with Redis down, a page waits a moment, then works without it (rate
# limits count per process, the kept figures are computed; accounts.security,
# reports.precompute).
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
        # The dashboard's kept figures (reports.precompute), apart from the counters.
        "reports": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "reports",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        # Its own folder: many kept dashboards never cull the rate-limit counters.
        "reports": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache-reports"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# --- Koers rules --------------------------------------------------------------------
# The monitoring rule book (MONITORING.md section 5). Dated values hold from their date.
KOERS_UPPER_AGE = [(date(1900, 1, 1), 23), (date(2026, 1, 1), 27)]
KOERS_KWALIFICATIEPLICHT_AGE = 18
# How long uploaded administration files wait for confirmation before they are removed.
KOERS_IMPORT_BATCH_HOURS = env.int("KOERS_IMPORT_BATCH_HOURS", default=24)
# Rows per file a browser upload may hold; larger feeds go through `import_admin`.
KOERS_IMPORT_MAX_ROWS = env.int("KOERS_IMPORT_MAX_ROWS", default=100_000)
# How long a background export's file stays downloadable (reports.services).
KOERS_EXPORT_JOB_HOURS = env.int("KOERS_EXPORT_JOB_HOURS", default=24)
# Documents attached to a student's file (documents app): the largest file accepted, and
# the private folder they are kept in (outside MEDIA_ROOT, never served directly: only
# through the download view that checks the scope and logs the download).
KOERS_DOCUMENT_MAX_BYTES = env.int("KOERS_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
KOERS_DOCUMENT_ROOT = Path(env.str("KOERS_DOCUMENT_ROOT", default=str(VAR_DIR / "documents")))
# How long the dashboard's computed figures are kept (reports.precompute); the nightly
# precompute replaces them sooner, and a new day never reads the day before's.
KOERS_REPORT_FIGURES_SECONDS = env.int("KOERS_REPORT_FIGURES_SECONDS", default=26 * 3600)
KOERS_PAGE_SIZE = 25
# What belongs to one region (accounts.regions): the regions whose institutions' Entree
# students get the regional route parts ("Route naar succes", Jongeren Startpunt, the
# transfer system; ROADMAP.md), and the regions that run the Flexservice measure with
# its targets and the measure's period (REFERRALS.md, "Results against the targets").
KOERS_REGIONAL_ROUTE_REGIONS = env.list(
    "KOERS_REGIONAL_ROUTE_REGIONS", default=["Noord-Holland Noord"]
)
KOERS_FLEXSERVICE_REGIONS = env.list("KOERS_FLEXSERVICE_REGIONS", default=["Haaglanden"])
KOERS_FLEXSERVICE_PERIOD = (
    date.fromisoformat(env.str("KOERS_FLEXSERVICE_START", default="2026-01-01")),
    date.fromisoformat(env.str("KOERS_FLEXSERVICE_END", default="2029-12-31")),
)

# --- Logging: never log personal data; the BSN never reaches a log line ---------------
# A database error's text can quote row values (PostgreSQL's "DETAIL: Failing row
# contains (...)", a BSN typed in a note) and SQL parameters: the filter
# (config.logfilters) leaves only its class and SQLSTATE, on every handler and on the
# loggers that report such errors (also where another handler, e.g. a test's, listens).
# gunicorn's own loggers get it in config/gunicorn.py.
_DB_FILTER = ["database_errors"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"database_errors": {"()": "config.logfilters.DatabaseErrorFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": _DB_FILTER}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own handlers (console when DEBUG, mail to ADMINS) are replaced: every
        # record goes through the root handler and its filter.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": _DB_FILTER},
        "django.db.backends": {"level": "INFO", "filters": _DB_FILTER},
        "celery": {"filters": _DB_FILTER},
        "celery.app.trace": {"filters": _DB_FILTER},
        "celery.worker": {"filters": _DB_FILTER},
    },
}

# The young person's own view (portal, issue 18). WebAuthn (passkeys) needs a host name,
# not an IP address: the relying party is `localhost` in development (open the demo at
# http://localhost:8000, not 127.0.0.1), the site's own domain in production.
KOERS_WEBAUTHN_RP_ID = env.str("KOERS_WEBAUTHN_RP_ID", default="localhost")
# Days an invitation link to a student stays valid.
KOERS_PORTAL_INVITATION_DAYS = env.int("KOERS_PORTAL_INVITATION_DAYS", default=7)

# --- API for other systems (api/, issue 17; api/README.md) ---------------------------
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "students:read": "Studenten lezen (en hun route)",
        "administration:write": "Administratie van de school schrijven",
        "referrals": "Verwijzingen ontvangen en afhandelen",
        "signals": "Signalen lezen en afhandelen",
        "meetings": "Doorstroomtafel-overleggen lezen",
        "notifications": "Meldingen (abonnementen) beheren",
    },
    "DEFAULT_SCOPES": ["students:read"],
    # A client gets only the scopes registered on its ApiClient (api/scopes.py).
    "SCOPES_BACKEND_CLASS": "api.scopes.ClientScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("KOERS_API_TOKEN_SECONDS", default=3600),
    # The OAuth 2.0 Security BCP (RFC 9700) in full: tokens stored hashed, never in a URL.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
KOERS_API_VERSION = "1.0.0"
# The most rows one administration request may carry (all files together).
KOERS_API_IMPORT_MAX_ROWS = env.int("KOERS_API_IMPORT_MAX_ROWS", default=50_000)
# Notification callbacks may go to loopback only in development and tests.
KOERS_API_ALLOW_LOOPBACK_CALLBACKS = env.bool("KOERS_API_ALLOW_LOOPBACK_CALLBACKS", default=False)
# A notification older than this (seconds) is to be refused by its receiver.
KOERS_API_NOTIFICATION_TOLERANCE = 300
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasClientScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Koers API",
    "DESCRIPTION": (
        "De API van Koers voor andere systemen: studentadministraties, gemeenten, "
        "partners. Elk systeem handelt namens één organisatie in één rol, met precies "
        "het zicht van een gebruiker van die organisatie en rol. Inloggen met OAuth 2 "
        "client credentials op /api/v1/oauth/token."
    ),
    "VERSION": KOERS_API_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}

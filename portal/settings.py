"""One settings module, driven by environment variables.

Every variable the portal reads in production is listed, with a safe example
and a comment, in deploy/production.env.example. The main ones:

DATABASE_URL         defaults to a SQLite file in the project folder;
                     postgres://user@host:port/name uses PostgreSQL (psycopg 3,
                     through a connection pool of DATABASE_POOL_MAX per process).
DATABASE_REPLICA_URL optional read replica (portal.routers).
REDIS_URL            optional; the shared cache of every process (else local memory).
DJANGO_DEBUG         "1"/"true" turns debug on (the default for local use).
DJANGO_SECRET_KEY    required whenever debug is off.
DJANGO_ALLOWED_HOSTS comma-separated; defaults to localhost names in debug.
DJANGO_HTTPS         "1" when served over HTTPS behind a TLS proxy: secure
                     cookies, HSTS, the proxy's X-Forwarded-Proto trusted.
"""

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from import_export.formats import base_formats

from cases.spreadsheet_formats import SafeCSV, SafeXLSX

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [host.strip() for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if host.strip()]
if not ALLOWED_HOSTS and DEBUG:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "simple_history",
    "import_export",
    "axes",
    "portal.apps.MailTasksConfig",  # django-tasks-db, named in Chinese
    # The catalog, then what builds on it: search, the editors' workbench, the
    # replication tracker; developer tools (synthetic cases, benchmark) last.
    "cases",
    "cases.search",
    "cases.workbench",
    "cases.tracker",
    "cases.devtools",
]

MIDDLEWARE = [
    # First: a request id, timing and one log line for every response (portal.observability).
    "portal.observability.RequestLog",
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeaders",
    # Before whitenoise, so that static files are refused in frames too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.AdminContentSecurityPolicy",
    # Compress HTML and JSON (Django's BREACH mitigation: random bytes in the gzip header).
    "django.middleware.gzip.GZipMiddleware",
    # Before anything reads request.POST: refuses oversized bodies unread.
    "cases.middleware.RequestSizeLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses logins from a locked-out user and IP before
# the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cases.login_limits.AddressLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed admin logins for one user name from one address lock that pair
# out for an hour; a successful login resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Every failure is logged, so that failures from one address can be counted
# across user names (cases.login_limits): a sprayer is refused after this many
# in the cool-off period, from that address only.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
LOGIN_FAILURES_PER_ADDRESS = 20
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# Behind DJANGO_PROXY_COUNT trusted proxies the client's address is the one the
# outermost of them added to X-Forwarded-For; cases.client decides it, for
# axes, the per-address sign-in limit, download limits and the request log.
PROXY_COUNT = int(os.environ.get("DJANGO_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "cases.client.axes_client_ip"
AXES_VERBOSE = False
# django-axes ships no Chinese translation; operators list and clear lockouts
# with manage.py axes_list_attempts / axes_reset_username instead.
AXES_ENABLE_ADMIN = False

# django-import-export: XLSX and CSV; a file is imported in one transaction
# (a row with an error means nothing is written); importing needs the change
# permission, exporting the view permission. Exports are written by our own
# formats (cases.spreadsheet_formats), which write every cell that would
# start a formula as text: import-export's own escaping strips one "=" only.
IMPORT_FORMATS = [base_formats.XLSX, base_formats.CSV]
EXPORT_FORMATS = [SafeXLSX, SafeCSV]
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

ROOT_URLCONF = "portal.urls"

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
                "cases.context_processors.limits",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"


def database(url: str) -> dict:
    """One DATABASES entry from a URL: PostgreSQL through psycopg's pool, SQLite tuned for one writer at a time."""
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.postgresql":
        # A bounded pool per process: gunicorn's workers × DATABASE_POOL_MAX is
        # the most connections the portal ever opens, whatever the load.
        pool_max = int(os.environ.get("DATABASE_POOL_MAX", "4"))
        if pool_max > 0:
            config.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 10}
        else:
            config["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
    elif config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
        # WAL lets readers work while an editor saves; a larger page cache and
        # memory-mapped reads keep the search and facet indexes in memory.
        # Two officials saving at once: every transaction takes the write lock
        # when it begins (IMMEDIATE), so a writer waits for the other instead of
        # failing with "database is locked" when it upgrades a read lock; a busy
        # writer is waited for up to 20 seconds.
        config.setdefault("OPTIONS", {}).update(
            {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                    "PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
        # Tests use a database file, never SQLite's in-memory database: an in-memory database is one
        # connection shared by the live server's threads, and a request thread that ends after the server
        # stopped closed it from a thread that no longer shared it (an error in whichever test ran next).
        # A file gives every thread its own connection. In memory-backed /dev/shm where there is one.
        config["TEST"] = {"NAME": str(_test_database_file())}
    return config


def _test_database_file() -> Path:
    folder = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:12]
    return folder / f"yingshang-test-{checkout}.sqlite3"


DATABASES = {"default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A read replica, when there is one: reads go to it except in a request that
# writes (portal.routers); tests mirror it to the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database(os.environ["DATABASE_REPLICA_URL"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "portal.routers.PrimaryAfterWrite")

# One cache for every process and machine when REDIS_URL is set (Django's own
# RedisCache); local memory otherwise, which is right for one process only.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "yingshang"),
            "TIMEOUT": 24 * 3600,
        },
        # Each process keeps the pages it served last in memory as well, in front of
        # Redis: a page's key holds the data versions, so a local copy is never stale.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PAGE_CACHE_LOCAL_ENTRIES", "300"))},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 24 * 3600,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Our own translations first: strings Django or a library leaves in English (locale/zh_Hans).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Evidence files go through Django's storage API: the local folder by default,
# or any storage class by configuration alone, e.g. django-storages' S3Storage
# with its options as JSON (README, "Deployment").
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("DJANGO_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Where the text of each notice is kept, so tests can prove fidelity.
NOTICE_SOURCE_DIR = BASE_DIR / "fixtures" / "source"

# Officials sign in at /accounts/login/; evidence files are stored under
# MEDIA_ROOT and served only through a view that checks who is asking (there
# is deliberately no MEDIA_URL route).
LOGIN_URL = "/accounts/login/"
# An official lands on their own region's or department's page (我的市县).
LOGIN_REDIRECT_URL = "/adoption/mine/"
LOGOUT_REDIRECT_URL = "/adoption/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# The largest file of each kind (cases.uploads): an official's evidence, a notice's original document.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
NOTICE_FILE_MAX_BYTES = 20 * 1024 * 1024
# The most rows one public download holds (cases.downloads).
DOWNLOAD_MAX_ROWS = 5000
# Anonymous pages are cached per data version (cases.caching): at most this
# long, and only pages up to this size.
PAGE_CACHE_SECONDS = 24 * 3600
PAGE_CACHE_MAX_BYTES = 2 * 1024 * 1024
# With Redis, each write publishes its data version there once it commits, and
# readers take it from Redis instead of the database; a published version is
# re-read from the database after this many seconds, which bounds how long a
# process that died between its commit and its publication can hide an edit.
VERSION_SHARED_SECONDS = 5
# Work a write owes its derived data (reindex, new versions) is done right after it commits (cases.journal);
# /healthz reports any left undone for longer than this, which only a crash in between can do.
PENDING_WORK_GRACE_SECONDS = int(os.environ.get("PENDING_WORK_GRACE_SECONDS", "60"))
# Downloads: signed-in officials may take up to DOWNLOAD_MAX_ROWS rows, anonymous
# readers fewer, and each address (or account) this many downloads a minute.
DOWNLOAD_MAX_ROWS_ANONYMOUS = int(os.environ.get("DOWNLOAD_MAX_ROWS_ANONYMOUS", "1000"))
DOWNLOADS_PER_MINUTE = int(os.environ.get("DOWNLOADS_PER_MINUTE", "10"))
# The most cases one Word document of the case list holds (the list page says so beside the link).
DOCUMENT_MAX_CASES = int(os.environ.get("DOCUMENT_MAX_CASES", "20"))
# The largest request body accepted: the largest file of any kind plus its form (cases.middleware); the
# proxy's client_max_body_size (deploy/nginx.conf) is the same, 22 MB.
MAX_REQUEST_BYTES = max(EVIDENCE_MAX_BYTES, NOTICE_FILE_MAX_BYTES) + 2 * 1024 * 1024


# Security headers. SecurityMiddleware sends nosniff, Referrer-Policy and
# Cross-Origin-Opener-Policy (Django's defaults, named here so they are
# visible); portal.middleware.SecurityHeaders adds Permissions-Policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
# Content-Security-Policy (Django's own): our pages have no inline script or
# style at all; the admin's scripts are files too. Data URIs for images only
# (the admin's icons).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Served over HTTPS behind a TLS-terminating proxy (deploy/nginx.conf): the
# proxy says the request was HTTPS, cookies are secure, browsers are told to
# come back over HTTPS only. `make run` serves plain HTTP on 127.0.0.1.
HTTPS = env_flag("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", HTTPS or not DEBUG)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_flag("DJANGO_HSTS_PRELOAD", False)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SESSION_COOKIE_HTTPONLY = True

# Errors: a 500 is mailed to ADMINS (comma-separated addresses) when set.
ADMINS = [a.strip() for a in os.environ.get("DJANGO_ADMINS", "").split(",") if a.strip()]
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "portal@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", SERVER_EMAIL)

# Mail goes out through Django's tasks framework (cases.tracker.reminders): a task
# row in the database (django-tasks-db), written in the transaction of the write
# it tells of, sent by `manage.py db_worker` (started beside gunicorn by `make run`;
# deploy/yingshang-worker.service), and retried while the mail server is down.
# Under pytest the immediate backend runs each task at once, in the test.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_TASKS_BACKEND")
        or (
            "django.tasks.backends.immediate.ImmediateBackend"
            if "pytest" in sys.modules
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# The portal's address as officials reach it, for the links in mail to them (cases.tracker.notify).
PORTAL_URL = os.environ.get("DJANGO_PORTAL_URL", "http://127.0.0.1:8000")
# Django 6.1's MAILERS: the console by default (mail is printed), SMTP when DJANGO_EMAIL_HOST is set.
if os.environ.get("DJANGO_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["DJANGO_EMAIL_HOST"],
                "port": int(os.environ.get("DJANGO_EMAIL_PORT", "25")),
                "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
                "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_flag("DJANGO_EMAIL_USE_TLS", False),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Logs: one JSON line per request (portal.observability.RequestLog: request
# id, method, path, status, duration) and per error, with its stack trace.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.observability.JsonFormatter"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {
        "portal.requests": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

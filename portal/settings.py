"""One settings module, driven by environment variables.

DATABASE_URL         defaults to a SQLite file in the project folder;
                     postgres://user@host:port/name uses PostgreSQL (psycopg 3).
DJANGO_DEBUG         "1"/"true" turns debug on (the default for local use).
DJANGO_SECRET_KEY    required whenever debug is off.
DJANGO_ALLOWED_HOSTS comma-separated; defaults to localhost names in debug.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
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
    # The catalog, then what builds on it: search, the editors' workbench, the
    # replication tracker; developer tools (synthetic cases, benchmark) last.
    "cases",
    "cases.search",
    "cases.workbench",
    "cases.tracker",
    "cases.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads request.POST: refuses oversized bodies unread.
    "cases.middleware.RequestSizeLimit",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an editor saves; a larger page cache and
    # memory-mapped reads keep the search and facet indexes in memory.
    # Two officials saving at once: every transaction takes the write lock
    # when it begins (IMMEDIATE), so a writer waits for the other instead of
    # failing with "database is locked" when it upgrades a read lock; a busy
    # writer is waited for up to 20 seconds.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                "PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
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
LOGIN_REDIRECT_URL = "/adoption/"
LOGOUT_REDIRECT_URL = "/adoption/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The most rows one public download holds (cases.downloads).
DOWNLOAD_MAX_ROWS = 5000
# The largest request body accepted: one evidence file plus its form (cases.middleware).
MAX_REQUEST_BYTES = EVIDENCE_MAX_BYTES + 2 * 1024 * 1024


if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_flag("DJANGO_SECURE_COOKIES", True)
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

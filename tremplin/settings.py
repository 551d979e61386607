"""Tremplin settings, driven by the environment.

Every secret can also be read from a file: ``SECRET_KEY_FILE`` wins over ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envsecret(name: str, default: str = "") -> str:
    """Read NAME_FILE (a path) if set, else NAME, else the default."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


TREMPLIN_HOME = Path(os.environ.get("TREMPLIN_HOME", "var")).resolve()

DEBUG = envbool("DEBUG")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    # A stable per-installation key, kept under TREMPLIN_HOME, so that sessions survive restarts.
    _key_file = TREMPLIN_HOME / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
    else:
        from django.core.management.utils import get_random_secret_key

        SECRET_KEY = get_random_secret_key()
        TREMPLIN_HOME.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(SECRET_KEY, encoding="utf-8")
        _key_file.chmod(0o600)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
SITE_ROOT = os.environ.get("SITE_ROOT", "http://127.0.0.1:8000")
#: The address the public reaches Tremplin at: in the credentials (issuer, status list) and the
#: attestations' QR codes.
TREMPLIN_PUBLIC_URL = os.environ.get("TREMPLIN_PUBLIC_URL", "http://127.0.0.1:8000")
#: The Cnam as the organisme responsible for the formations in the LHEO export (catalog/lheo.py).
#: Its numbers are never invented: without the SIRET, the numéro de déclaration d'activité and
#: the FORMACODE codes of the publics aimed at, the export is refused with what is missing.
TREMPLIN_ORGANISME = {
    "siret": os.environ.get("TREMPLIN_ORGANISME_SIRET", ""),
    "activity_number": os.environ.get("TREMPLIN_ORGANISME_NDA", ""),
    "name": os.environ.get("TREMPLIN_ORGANISME_NOM", "Cnam"),
    "legal_name": os.environ.get(
        "TREMPLIN_ORGANISME_RAISON_SOCIALE", "Conservatoire national des arts et métiers"
    ),
    "street": os.environ.get("TREMPLIN_ORGANISME_ADRESSE", "292 rue Saint-Martin"),
    "postcode": os.environ.get("TREMPLIN_ORGANISME_CODE_POSTAL", "75003"),
    "city": os.environ.get("TREMPLIN_ORGANISME_VILLE", "Paris"),
    "email": os.environ.get("TREMPLIN_ORGANISME_COURRIEL", ""),
    "public_codes": os.environ.get("TREMPLIN_LHEO_PUBLICS", ""),
}
TREMPLIN_RETENTION_YEARS = int(os.environ.get("TREMPLIN_RETENTION_YEARS", "5"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "tremplin.core.staticfiles.StaticFiles",  # the design system's unused files left out
    "dsfr",  # before django.forms: its widget and error templates win
    "django.forms",
    "widget_tweaks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "tremplin.core",
    "tremplin.accounts",
    "tremplin.places",
    "tremplin.catalog",
    "tremplin.learners",
    "tremplin.enrolment",
    "tremplin.followup",
    "tremplin.emergence",
    "tremplin.reporting",
    "tremplin.conventions",
    "tremplin.orientation",
    "tremplin.delivery",
    "tremplin.privacy",
    "tremplin.credentials",
    "tremplin.sync",
    "tremplin.site",
    "tremplin.demo",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us: no CDN
    "tremplin.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: precompressed, far-future
    # Pages compressed (about 4× smaller on slow links), not PDF, ZIP or XLSX files; above every
    # middleware that may still change a body, so it compresses their final answer. BREACH:
    # docs/security.md.
    "tremplin.core.http.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tremplin.core.middleware.JournalOriginMiddleware",  # form or API, for the event journal
    # Answers for a signed-in user are never stored by a browser or a proxy (no-store, private).
    "tremplin.core.http.PrivateCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Session lifetime, then two-factor authentication before any page but its own.
    "tremplin.accounts.middleware.SessionLifetimeMiddleware",
    "tremplin.accounts.middleware.TwoFactorMiddleware",
    # On an establishment copy, what only the centre decides is refused (docs/sync.md).
    "tremplin.sync.copy.CopyGuard",
    "axes.middleware.AxesMiddleware",  # last: turns a lock-out into its page
]

ROOT_URLCONF = "tremplin.urls"
WSGI_APPLICATION = "tremplin.wsgi.application"
FORM_RENDERER = "tremplin.core.renderers.FormRenderer"  # TemplatesSetting, selects in Python

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
                "tremplin.site.navigation.navigation",
                "tremplin.sync.copy.copy_status",
            ],
            # `{% url %}` with one integer key written from its route reversed once
            # (tremplin/core/links.py): a list's rows, about 34 µs a link less.
            "builtins": ["tremplin.core.templatetags.tremplin_urls"],
        },
    },
]

# Connections (docs/scaling.md): kept DATABASE_CONN_MAX_AGE seconds by each process (SQLite's
# too), or, with DATABASE_POOL=1, a psycopg pool per process (PostgreSQL; needs
# `psycopg[pool]`).
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES: dict[str, Any] = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE)
    }
    if envbool("DATABASE_POOL"):
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
    if envbool("DATABASE_PGBOUNCER"):  # PgBouncer in transaction pooling mode
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": TREMPLIN_HOME / "tremplin.sqlite3",
            # Kept by each process like PostgreSQL's: opening the file and reading its schema
            # cost about 2.3 ms per request at national scale (docs/scaling.md).
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            "OPTIONS": {
                # The write-ahead log truncated back to 64 MB once written through: a kept
                # connection never lets it be deleted (a national import left 50 MB and more).
                # Each connection keeps up to 64 MiB of the file's pages (SQLite's default is
                # 2 MiB): a national search reads thousands of rows spread over the file, again
                # at every request (docs/scaling.md). Temporary storage in memory: a statement
                # whose trigger writes (the bilan's year stamps) keeps a statement journal of the
                # pages it changes, written to a temporary file at each row otherwise (an
                # import's 30,000 enrolments: 1.25 -> 0.50 s of inserts).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA journal_size_limit=67108864; PRAGMA cache_size=-65536; "
                    "PRAGMA temp_store=MEMORY;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
# A read replica for the reports (bilan, dashboards, orientation statistics): the router sends
# their reads to it, everything else to the primary (tremplin/core/routers.py). In tests the
# replica is the default database (MIRROR).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DATABASE_CONN_MAX_AGE),
        "TEST": {"MIRROR": "default"},
    }
# PostgreSQL's JIT compiles any query its planner costs high (a count over the national demo's
# 300,000 learners): 0.4 to 0.7 s of compilation for a query of 0.1 to 0.4 s, on every page of a
# regional coordinator (docs/scaling.md). Off for Tremplin's connections; behind PgBouncer, which
# refuses startup options, set it on the database: ALTER DATABASE tremplin SET jit = off.
for _database in DATABASES.values():
    if "postgresql" in _database["ENGINE"] and not envbool("DATABASE_PGBOUNCER"):
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASE_ROUTERS = ["tremplin.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache, and the sessions in it (backed by the database), for several application
# servers: REDIS_URL=redis://host:6379/0 (needs the `redis` package). Without it, each process
# has its local memory cache and the sessions live in the database, which all servers share.
# The bilan's stored figures (tremplin/reporting/stored.py) go to the `reports` cache: in Redis
# with it, otherwise in files under TREMPLIN_HOME, shared by the server's processes.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        },
        "reports": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "reports",
        },
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "reports": {
            "BACKEND": "tremplin.core.cache.FileCache",  # culled once per set_many
            "LOCATION": str(TREMPLIN_HOME / "cache" / "reports"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }

# Benchmark-only views (benchmarks/pages.py): /bench/constant/, off unless TREMPLIN_BENCH_VIEWS=1.
TREMPLIN_BENCH_VIEWS = envbool("TREMPLIN_BENCH_VIEWS")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out account or address
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = TREMPLIN_HOME / "static"
# Found before the apps' static files: the Latin subsets of the design system's fonts, under the
# design system's own paths (tools/build_static_subsets.py; the first page, docs/scaling.md).
STATICFILES_DIRS = [BASE_DIR / "static_overrides"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "tremplin.core.storage.StaticStorage"},
}
# Source maps are read by developer tools only: collected, not compressed (compressing the API
# documentation's maps took 30 s of CPU at every `collectstatic`).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_ROOT = TREMPLIN_HOME / "media"

# A session ends after SESSION_IDLE_MINUTES without a request, at the latest SESSION_MAX_HOURS
# after the login, and when the browser closes. The idle expiry is pushed back by a request at
# most once every TREMPLIN_SESSION_REFRESH_SECONDS (accounts/middleware.py), not written back
# by every page: the session then ends between one refresh interval before and the idle limit.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False
# A minute, or half the idle limit when it is shorter (SESSION_IDLE_MINUTES=1: a refresh every
# 30 s, so that an active user is never logged out).
TREMPLIN_SESSION_REFRESH_SECONDS = min(60, SESSION_COOKIE_AGE // 2)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
TREMPLIN_SESSION_MAX_AGE = int(os.environ.get("SESSION_MAX_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_HTTPS = envbool("SECURE_HTTPS")
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: every script and stylesheet is a static file of our own.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Two-factor authentication (django-otp): TOTP (RFC 6238) and one-time recovery codes.
OTP_TOTP_ISSUER = "Cnam Tremplin"
# The client's address behind a reverse proxy or load balancer (docs/scaling.md): the header
# TRUSTED_PROXY_HEADER is believed only when the request comes from one of TRUSTED_PROXIES
# (comma-separated addresses or networks, e.g. "10.0.0.0/8,192.0.2.10"); empty: no proxy, the
# peer address is the client's. Used by the lock-out and the audit log (tremplin/core/http.py).
TRUSTED_PROXIES = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "X-Forwarded-For")
# Lock-out after repeated login failures (django-axes): per account (from anywhere), and per
# address and account together; never per address alone, since behind a proxy or a shared
# connection (a prison's teaching network) one address is many people.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "username"]]
AXES_RESET_ON_SUCCESS = False  # a success from an address does not wipe its failures
AXES_LOCKOUT_CALLABLE = "tremplin.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tremplin.core.http.client_address"
AXES_VERBOSE = False
# Webhooks may not reach loopback, private, link-local or reserved addresses (checked when an
# endpoint is saved and at each delivery), unless this is on (a partner on the same network).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = envbool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES")
# Sensitive actions (creating an API token) ask for the password again when the last time it was
# typed in this session is older than REAUTH_MINUTES.
TREMPLIN_REAUTH_SECONDS = int(os.environ.get("REAUTH_MINUTES", "10")) * 60
# Password reset links made by the national coordination are valid 24 hours, and once.
PASSWORD_RESET_TIMEOUT = 24 * 3600

# Our own server serves the DSFR files, rewritten by the hashed static storage: the upstream
# integrity hashes would not match them, and they add nothing for same-origin files.
DSFR_USE_INTEGRITY_CHECKSUMS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
DSFR_MARK_OPTIONAL_FIELDS = True

# The API (/api/v1/, docs/api.md): personal tokens or the session, the models' own scopes.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tremplin.api.authentication.BearerTokenAuthentication",
        "tremplin.api.authentication.ApiSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tremplin.api.permissions.ApiAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "tremplin.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "tremplin.api.autoschema.ApiSchema",
    "EXCEPTION_HANDLER": "tremplin.api.exceptions.handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Tremplin",
    "DESCRIPTION": "L'API de Tremplin (Cnam) pour les systèmes partenaires : voir docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["tremplin.api.permissions.ApiAccess"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "tremplin.orientation.models.Referral.Status",
        "ResultEnum": "tremplin.enrolment.models.Result",
        "CloseReasonEnum": "tremplin.orientation.models.CloseReason",
    },
}
CSRF_FAILURE_VIEW = "tremplin.site.views.csrf_failure"

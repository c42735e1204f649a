"""Settings for milidip, read from the environment.

Every variable is listed in the README ("Configuration"); a test fails when one is read here and
not documented there.

- DEBUG: "1"/"true" turns on Django's debug mode. Off by default.
- SECRET_KEY: required when DEBUG is off; there is no default secret. Unset, the key `make`
  wrote to .secret_key (git-ignored, made once per clone) is used, so `manage.py` commands work
  in a clone that has run `make`. With DEBUG on and no key at all, a random key is made for the
  process (sessions do not survive a restart).
- ALLOWED_HOSTS: comma-separated host names (default: localhost,127.0.0.1).
- DATABASE_URL: e.g. postgres://user@127.0.0.1:5432/milidip. Unset: SQLite in db.sqlite3.
- REDIS_URL, TRUSTED_PROXY_COUNT, API_ANON_BUDGET, API_USER_BUDGET, API_ANON_HEAVY_BUDGET,
  API_ANON_HEAVY_CONCURRENCY, LOGIN_ATTEMPT_BUDGET, LOGIN_CHECK_CONCURRENCY: the shared cache
  and throttling by cost (see the block "Throttling" below and the README).
- API_CACHE_SECONDS: max-age of anonymous API responses (default 60).
- READ_CACHE_SECONDS, READ_CACHE_MAX_BYTES: the read cache of anonymous API responses (see the
  block "Fast reads" below and the README).
- API_TOKEN_DAYS: how long a new API token lasts unless `token_issue --days` says (default 90).
- AXES_FAILURE_LIMIT, AXES_COOLOFF_MINUTES: admin login lockout after that many failures (default
  5), for that many minutes (default 15).
- HTTPS, HSTS_SECONDS, HSTS_INCLUDE_SUBDOMAINS, HSTS_PRELOAD, PROXY_HTTPS_HEADER: the production
  profile (HTTPS redirect, HSTS, Secure cookies, the proxy's header); see the block at the end.
- ADMIN_IMPORT_MAX_BYTES, ADMIN_IMPORT_MAX_ROWS: the largest CSV file the admin imports at once
  (default 1 MiB and 100 rows).
- DATABASE_PREPARE_THRESHOLD: when the read path's queries become prepared statements on
  PostgreSQL (default 5 runs; "off" never), see `env_prepare_threshold`.
- DATABASE_REPLICA_URL, REPLICA_MAX_LAG_SECONDS, REPLICA_CHECK_SECONDS, READ_YOUR_WRITES_SECONDS,
  METRICS_TOKEN, METRICS_ALLOWED_ADDRESSES: several servers, the read replica and the metrics;
  see the block "Operations" at the end and the README ("Running in production").
"""

import base64
import hashlib
import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    """Read a comma-separated environment variable into a list of non-empty items."""
    value = os.environ.get(name, default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
SECRET_KEY_FILE = BASE_DIR / ".secret_key"
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or run `make run` or `make test` "
            "once to create .secret_key (DEBUG is off, and milidip has no default secret)."
        )
    SECRET_KEY = secrets.token_urlsafe(50)

# --- Deployment: a guessable SECRET_KEY is refused -------------------------
# Django's own criteria (check security.W009), enforced at start instead of merely warned about:
# sessions, password resets and CSRF tokens are only as strong as this key.
if not DEBUG and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak: it needs at least {SECRET_KEY_MIN_LENGTH} characters, at least "
        f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS} different ones, and not the "
        f"'{SECRET_KEY_INSECURE_PREFIX}' prefix of a generated development key. Make one with "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
# --- end deployment: SECRET_KEY ------------------------------------------------------------------

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "milidip.sources",
    "alliances",
    "missions",
    "milidip.datasets",
    "milidip.explore",
    "milidip.pages",
    "milidip.embeds",
    "django.contrib.sitemaps",
    # Credentials: hashed API tokens; admin login lockout.
    "milidip.tokens",
    "axes",
    "milidip.backups",  # deployment: `make backup` and `make restore`
    # Operations: replica router, probes, metrics, request log (see the block at the end).
    "django_prometheus",
    "milidip.ops",
]

MIDDLEWARE = [
    # Operations: metrics, the request id and its log line, and which database reads.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "milidip.ops.middleware.RequestLogMiddleware",
    "milidip.ops.middleware.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "milidip.api.throttling.SpentClientMiddleware",  # throttling
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "milidip.api.caching.ContentEtagMiddleware",  # conditional GETs (Django's), ETags
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "milidip.api.middleware.ApiRequestMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # operations: metrics
    # Credentials: answers a locked-out login with its refusal (429); keep it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "milidip.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "milidip" / "templates"],
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

WSGI_APPLICATION = "milidip.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
    )
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each transaction takes SQLite's write lock when it begins, so that two writes to one
    # record wait for each other instead of both reading the old row (PostgreSQL locks the
    # row itself: select_for_update).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"


def env_prepare_threshold():
    """DATABASE_PREPARE_THRESHOLD: how many times the read path runs one statement on a
    PostgreSQL connection before psycopg prepares it (default 5, psycopg's own; "off" for a
    connection pooler that cannot keep prepared statements, such as PgBouncer before 1.21 in
    transaction mode). Only the read path's compiled queries bind on the server and are prepared
    (milidip/api/prepared.py); Django's other queries never are."""
    text = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    return None if text == "off" else int(text)


DATABASE_PREPARE_THRESHOLD = env_prepare_threshold()


def prepare_reads(database):
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {})["prepare_threshold"] = DATABASE_PREPARE_THRESHOLD


prepare_reads(DATABASES["default"])

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic puts the static files that whitenoise serves (STATIC_ROOT).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Where the articles (and, later, the datasets) that records cite are kept.
SEEDS_DIR = BASE_DIR / "seeds"

# The API (see milidip/api/). Reads are open; writes need a token and the model permission.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "60"))

# --- Throttling: the shared cache and budgets by cost -------------------------
# REDIS_URL (e.g. redis://127.0.0.1:6379/0) makes every cache a Redis one, shared by every worker
# and server; unset, each process keeps its own in memory (throttle counts are then per process).
# The throttle counts in its own alias, so responses can later be cached in "default".
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"milidip-{alias}",
        }
        for alias in ("default", "throttle")
    }
else:
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
        for alias in ("default", "throttle")
    }
THROTTLE_CACHE = "throttle"
# How many proxies of our own stand in front of milidip, each appending to X-Forwarded-For; the
# client is the address that many hops from the right (0: the connection's peer, REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Budgets in cost units per period ("off" for no limit): see milidip/api/throttling.py.


def env_budget(name, default):
    """A budget such as "600/minute" as (600, 60), or "50/10s" (a period of 10 seconds) as
    (50, 10); "off" (or empty, "none", "0") as None."""
    text = os.environ.get(name, default).strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    amount, _, period = text.partition("/")
    count = period[: len(period) - len(period.lstrip("0123456789"))]
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period[len(count) : len(count) + 1])
    if not amount.isdigit() or int(amount) < 1 or unit is None or count.startswith("0"):
        raise ImproperlyConfigured(
            f"{name}={text!r}: give units/period, e.g. 600/minute or 50/10s, or off."
        )
    return int(amount), unit * int(count or 1)


API_ANON_BUDGET = env_budget("API_ANON_BUDGET", "600/minute")
API_USER_BUDGET = env_budget("API_USER_BUDGET", "6000/minute")
# Six pages of 500 a minute, but refilled every 10 s rather than spent in one burst.
API_ANON_HEAVY_BUDGET = env_budget("API_ANON_HEAVY_BUDGET", "50/10s")
# Failed admin logins per client address: over it, a 429 before sessions, CSRF or the lockout's
# bookkeeping run (django-axes judges the attempts let through).
LOGIN_ATTEMPT_BUDGET = env_budget("LOGIN_ATTEMPT_BUDGET", "20/minute")


def env_slots(name, default):
    """How many of something may run at once, site-wide; "off" (or 0) as None: no limit."""
    text = os.environ.get(name, default).strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    if not text.isdigit():
        raise ImproperlyConfigured(f"{name}={text!r}: give a whole number, or off.")
    return int(text)


# At most this many heavy anonymous requests served at once, site-wide.
API_ANON_HEAVY_CONCURRENCY = env_slots("API_ANON_HEAVY_CONCURRENCY", "1")
# At most this many admin logins checked at once (a password hash each), site-wide.
LOGIN_CHECK_CONCURRENCY = env_slots("LOGIN_CHECK_CONCURRENCY", "1")
# --- end of throttling ---------------------------------------------------------------------------

# --- Fast reads (issue 12): data version, read cache, compression -------------------------------
# The data version (milidip/versions.py) lives in the shared cache when REDIS_URL is set, in the
# database (sources.DataVersion) otherwise. Anonymous API reads are kept in READ_CACHE, keyed by
# the data version and the request (milidip/api/caching.py): READ_CACHE_SECONDS at most, and no
# response larger than READ_CACHE_MAX_BYTES.
DATA_VERSION_CACHE = "default" if REDIS_URL else None
READ_CACHE = "default"
READ_CACHE_SECONDS = int(os.environ.get("READ_CACHE_SECONDS", "3600"))
READ_CACHE_MAX_BYTES = int(os.environ.get("READ_CACHE_MAX_BYTES", str(4 * 1024 * 1024)))
# What each worker process keeps of the cached 200s it sent, to answer the same request again
# before Django (milidip.ops.early.CachedBeforeDjango), while the data version stands.
EARLY_CACHE_MAX_BYTES = int(os.environ.get("EARLY_CACHE_MAX_BYTES", str(32 * 1024 * 1024)))
# The paths whose anonymous GETs the read cache answers: the API (but its whole-dataset
# downloads, which stream), the public pages (home, search, the lists and records, the sitemap,
# robots.txt; milidip.pages.urls) and the embeds (milidip.embeds). Never the admin, the probes or
# /metrics. A view here whose response is made for one reader (a cookie, a CSRF token, a CSP
# nonce) is simply not kept.
READ_CACHE_PATHS = (
    r"^/(?:api/(?!v1/downloads/)|embed/|$|search/"
    r"|(?:countries|alliances|treaties|exercises|missions|challenges|sources)/"
    r"|sitemap[^/]*\.xml$|robots\.txt$)"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "milidip.api.compression.CompressionMiddleware",
)
# The read cache answers as early as it may: inside what every response needs (metrics, the
# request id and log line, security headers, compression, CSP, CORS, the spent-client refusal,
# ContentEtagMiddleware), before sessions, CSRF, authentication and the API's own middleware,
# which a request without credentials whose answer is kept does not need (milidip/api/caching.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("milidip.api.caching.ContentEtagMiddleware") + 1,
    "milidip.api.caching.ReadCacheMiddleware",
)
# --- end of fast reads ---------------------------------------------------------------------------

# Request bodies. A body over this many bytes (files uploaded through a form aside)
# is refused before it is read: 413, JSON in the error shape under /api/ (milidip.api.errors).
# Django's own default, stated here because the README documents it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The admin's CSV import (milidip.sources.admin.BoundedImportForm): a larger file is refused on
# the form. 100 rows preview in 5.4-9.3 s on PostgreSQL here, inside gunicorn's 30 s timeout.
ADMIN_IMPORT_MAX_BYTES = int(os.environ.get("ADMIN_IMPORT_MAX_BYTES", "1048576"))
ADMIN_IMPORT_MAX_ROWS = int(os.environ.get("ADMIN_IMPORT_MAX_ROWS", "100"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "milidip.tokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "milidip.api.permissions.ModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["milidip.api.throttling.CostBudgetThrottle"],
    "DEFAULT_PARSER_CLASSES": ["milidip.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["milidip.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "milidip.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": [
        "milidip.api.renderers.FastJSONRenderer",
        "milidip.api.renderers.CSVRenderer",
        "milidip.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "milidip.api.renderers.StrictContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "milidip.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "milidip.api.errors.api_exception_handler",
    "URL_FORMAT_OVERRIDE": "format",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "milidip API",
    "DESCRIPTION": (
        "A provenance-first database of military diplomacy. Every record carries its citations: "
        "a verbatim quote from an article, or the dataset row it came from.\n\n"
        "Dates are kept at the precision their sources give (ISO 8601 and ISO 8601-2: `199` "
        "the 1990s, `1953`, `1953-10`, `1953-10-01`). Every partial date `<field>` in a "
        "response is followed by `<field>_earliest` and `<field>_latest`, the first and last "
        "day it can mean as full ISO 8601 dates (`199` -> 1990-01-01 .. 1999-12-31, `1953` -> "
        "1953-01-01 .. 1953-12-31, `2000-02` -> 2000-02-01 .. 2000-02-29, a day -> itself; "
        "both null when the date is), in JSON and as CSV columns alike.\n\n"
        "Coded values (`kind`, `role`, `end_kind`, `category` ...) have their labels at "
        "`/api/v1/vocabulary/`."
    ),
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The browsable API is listed too: `format=api` (text/html) is offered to signed-in users.
    "RENDERER_WHITELIST": [
        "rest_framework.renderers.JSONRenderer",
        "milidip.api.renderers.FastJSONRenderer",
        "milidip.api.renderers.CSVRenderer",
        "milidip.api.renderers.BrowsableAPIRenderer",
        "milidip.api.geojson.GeoJSONRenderer",
        "milidip.explore.graph.GraphMLRenderer",
        "milidip.explore.graph.GEXFRenderer",
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "milidip.api.schema.strict_components",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "milidip.records.Status",
        "AllianceKindEnum": "alliances.models.Alliance.Kind",
        "TreatyKindEnum": "alliances.models.Treaty.Kind",
        "ExerciseKindEnum": "missions.models.Exercise.Kind",
        "MissionKindEnum": "missions.models.Mission.Kind",
        "SourceKindEnum": "milidip.sources.models.Source.Kind",
        "MembershipRoleEnum": "alliances.models.Membership.Role",
        "ParticipantRoleEnum": "missions.models.ExerciseParticipant.Role",
        "ChallengeCategoryEnum": "missions.models.Challenge.Category",
        "RegionEnum": "alliances.models.Region",
    },
}

# Front ends on any origin may read the API; writes are for token holders, not browsers.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Page code may send conditional requests (a 304 for an ETag or date it already holds), and read
# the validators, the paging links, the total count and a download's file name.
CORS_ALLOW_HEADERS = (*cors_default_headers, "if-none-match", "if-modified-since")
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "Link",
    "X-Total-Count",
    "Content-Disposition",
]

# --- Credentials: API tokens and the admin login lockout ---
# TRUSTED_PROXY_COUNT (the client address for the lockout too) is read in "Throttling" above.
# API tokens (milidip/tokens): how many days a new one lasts unless `token_issue --days` says.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT failed logins for one username, or
# from one client address, further logins for it (even with the right password) are refused
# for AXES_COOLOFF_MINUTES; a successful login clears the count. Attempts are kept in the
# database, so every server process shares them. AxesStandaloneBackend refuses before the
# password is hashed, so a locked-out flood costs no hashing.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "milidip.api.clients.client_address"

# Errors go to stderr (gunicorn's log), whatever DEBUG says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

# --- Deployment: HTTPS, HSTS, Secure cookies, the proxy's header, CSP -------
# HTTPS=1 says the site is reached over HTTPS only (directly, or through a proxy that ends TLS):
# plain HTTP is redirected, cookies are sent over HTTPS only, and browsers are told (HSTS) to
# never try HTTP again for HSTS_SECONDS. `manage.py check --deploy --fail-level WARNING` passes
# with the production environment the README documents (a test runs it).
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env_bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = HTTPS and env_bool("HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = []
# Preloading is a commitment only the domain's owner can make (by submitting it to the browsers'
# list), and leaving subdomains out is the operator's explicit choice: neither is then a warning.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
if os.environ.get("HSTS_INCLUDE_SUBDOMAINS", "").strip() and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")

# Behind a proxy that ends TLS, the request reaches Django as HTTP; the proxy says what the client
# used in a header. That header is trusted only when named here ("X-Forwarded-Proto: https"), and
# only a proxy that always sets (overwrites) it may be named: otherwise any client could claim
# HTTPS. Unset, no header is trusted.
PROXY_HTTPS_HEADER = os.environ.get("PROXY_HTTPS_HEADER", "").strip()
if PROXY_HTTPS_HEADER:
    _header, _colon, _value = (part.strip() for part in PROXY_HTTPS_HEADER.partition(":"))
    if not (_header and _colon and _value):
        raise ImproperlyConfigured(
            f"PROXY_HTTPS_HEADER must be 'Header-Name: value', e.g. 'X-Forwarded-Proto: https'; "
            f"got {PROXY_HTTPS_HEADER!r}."
        )
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _header.upper().replace("-", "_"), _value)

# The inline event handlers and style attributes the libraries' pages write, allowed by their
# hashes ('unsafe-hashes' allows exactly these texts, nothing else inline).
EVENT_HANDLERS = [
    "onSelectToggleChange(event)",  # django-import-export: the export form's "Select all"
]
STYLE_ATTRIBUTES = [
    "float: right; margin-right: 10px",  # DRF's browsable API: its Filters and Actions buttons
    "border-top: 0",  # django-simple-history: a record's history list
    "padding: 0;",  # django-import-export: the export form
    "font-weight: bold;",  # django-import-export: the export form
]


def _hash(value):
    digest = base64.b64encode(hashlib.sha256(value.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# Content-Security-Policy on every response (django-csp): scripts and styles from this server
# only; inline code only where it carries the response's nonce (`request.csp_nonce`, which
# templates put on their inline scripts and styles) or is one of the texts hashed above; nothing
# may frame a page (as X-Frame-Options: DENY says to older browsers). A view adds to it with
# csp.decorators.csp_update (see the Redoc page in milidip/api/root.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "script-src-attr": ["'unsafe-hashes'", *(_hash(handler) for handler in EVENT_HANDLERS)],
        "style-src-attr": ["'unsafe-hashes'", *(_hash(style) for style in STYLE_ATTRIBUTES)],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": HTTPS,
    },
}
X_FRAME_OPTIONS = "DENY"
# --- end deployment: HTTPS and CSP ---------------------------------------------------------------

# --- Operations: several servers, the read replica, probes, metrics, the request log ------------
# See milidip/ops/ and the README, "Running in production".
# DATABASE_REPLICA_URL names a streaming replica of DATABASE_URL's database (PostgreSQL): reads go
# there, unless the request writes, its caller wrote in the last READ_YOUR_WRITES_SECONDS, a
# transaction is open, or the replica lags more than REPLICA_MAX_LAG_SECONDS (measured at most
# every REPLICA_CHECK_SECONDS per process). Tests run on the primary alone (the replica mirrors it).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    # A replica that went away must not hold a request up for long: its reads go to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    prepare_reads(DATABASES["replica"])
    DATABASE_ROUTERS = ["milidip.ops.replica.PrimaryReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "1"))
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))
if READ_YOUR_WRITES_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    raise ImproperlyConfigured(
        "READ_YOUR_WRITES_SECONDS must be longer than REPLICA_MAX_LAG_SECONDS: a writer's reads "
        "stay on the primary until any replica still read has the write."
    )

# Sessions live in the database (shared by every server); with Redis they are read from there.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Every cache operation is timed for the metrics: Django's backends, with a histogram around them.
TIMED_CACHE_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache": "milidip.ops.metrics.TimedRedisCache",
    "django.core.cache.backends.locmem.LocMemCache": "milidip.ops.metrics.TimedLocMemCache",
}
for _alias, _cache in CACHES.items():
    _cache["BACKEND"] = TIMED_CACHE_BACKENDS.get(_cache["BACKEND"], _cache["BACKEND"])
    _cache["ALIAS"] = _alias

# /metrics (Prometheus): for a scraper sending "Authorization: Bearer <METRICS_TOKEN>", or asking
# from an address in METRICS_ALLOWED_ADDRESSES (comma-separated addresses or networks). Neither
# set: no one may scrape.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
try:
    METRICS_ALLOWED_ADDRESSES = [
        ipaddress.ip_network(item, strict=False)
        for item in env_list("METRICS_ALLOWED_ADDRESSES", "")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_ADDRESSES: {error}") from error
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters long.")

# One JSON line per request on stderr ("milidip.requests"), with the id sent back as X-Request-ID.
LOGGING["formatters"] = {"json": {"()": "milidip.ops.logs.JsonFormatter"}}
LOGGING["handlers"]["json"] = {"class": "logging.StreamHandler", "formatter": "json"}
LOGGING["loggers"]["milidip.requests"] = {
    "handlers": ["json"],
    "level": "INFO",
    "propagate": False,
}
CORS_EXPOSE_HEADERS.append("X-Request-ID")
# The probes sit beside /api/v1/, so the schema's operation ids and tags keep their API prefix.
SPECTACULAR_SETTINGS["SCHEMA_PATH_PREFIX"] = r"/api/v1"
# --- end of operations ---------------------------------------------------------------------------

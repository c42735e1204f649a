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
  API_ANON_HEAVY_CONCURRENCY: the shared cache and throttling by cost (see the block
  "Throttling" below and the README).
- API_CACHE_SECONDS: max-age of anonymous API responses (default 60).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "milidip.sources",
    "alliances",
    "missions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "milidip.api.throttling.SpentClientMiddleware",  # throttling (issue 9, item 5)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "milidip.api.middleware.ApiRequestMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Where the articles (and, later, the datasets) that records cite are kept.
SEEDS_DIR = BASE_DIR / "seeds"

# The API (see milidip/api/). Reads are open; writes need a token and the model permission.
API_CACHE_SECONDS = int(os.environ.get("API_CACHE_SECONDS", "60"))

# --- Throttling (issue 9, item 5): the shared cache and budgets by cost -------------------------
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
    """A budget such as "600/minute" as (600, 60); "off" (or empty, "none", "0") as None."""
    text = os.environ.get(name, default).strip().lower()
    if text in {"", "off", "none", "0"}:
        return None
    amount, _, period = text.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period[:1])
    if not amount.isdigit() or int(amount) < 1 or seconds is None:
        raise ImproperlyConfigured(f"{name}={text!r}: give units/period, e.g. 600/minute, or off.")
    return int(amount), seconds


API_ANON_BUDGET = env_budget("API_ANON_BUDGET", "600/minute")
API_USER_BUDGET = env_budget("API_USER_BUDGET", "6000/minute")
API_ANON_HEAVY_BUDGET = env_budget("API_ANON_HEAVY_BUDGET", "300/minute")
# At most this many heavy anonymous requests served at once, site-wide ("off" or 0: no limit).
API_ANON_HEAVY_CONCURRENCY = (
    int(os.environ.get("API_ANON_HEAVY_CONCURRENCY", "1").strip().lower().replace("off", "0") or 0)
    or None
)
# --- end of throttling ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["milidip.api.throttling.CostBudgetThrottle"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "milidip.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "milidip.api.renderers.CSVRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
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
        "a verbatim quote from an article, or the dataset row it came from."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
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
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Errors go to stderr (gunicorn's log), whatever DEBUG says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

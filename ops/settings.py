"""crewplan settings, read from the environment with strict parsing (see ops/env.py).

Embedded default (no variables set): SQLite under var/, a file cache under var/ shared by every process,
and Celery's filesystem transport, so `make demo` runs with no external service. Production and CI set
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

from ops.env import EnvError, env_bool, env_choice, env_float, env_int, env_list, env_rate, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CREWPLAN_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite file, Celery filesystem queue, test logs

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_TZ = True
LANGUAGE_CODE = "en-gb"
# On so that plain-words rule sentences write dates in the reader's language (scheduler.rule_text picks it
# from Accept-Language per request); pages themselves stay in LANGUAGE_CODE (no LocaleMiddleware).
USE_I18N = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ops",
    "capacity",
    "forecasting",
    "scheduler",
    "api",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "ops.middleware.RequestLogMiddleware",
    "ops.bad_input.RejectNulBytesMiddleware",
    "ops.sessions.SessionMiddleware",  # Django's, safe when the database is down
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.audit.AuditActorMiddleware",  # after authentication: the trail names the request's user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ops.content_security.ContentSecurityPolicyMiddleware",  # django-csp's, the policy built once
    "ops.privacy.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "ops.urls"
WSGI_APPLICATION = "ops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# --- database -------------------------------------------------------------------------------------------
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'crewplan.sqlite3'}",
    ("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
else:
    # SQLite: wait for a writer instead of failing at once when the worker and the web server both write.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ----------------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, ("redis", "rediss", "unix"))
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "crewplan")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # JSON, never pickle: a cache entry must not be able to run code when read. Read by
                # orjson (ops/cache_json.py): a 72 KB aggregate decodes in a third of the time.
                "SERIALIZER": "ops.cache_json.OrjsonReadingJSONSerializer",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    # Embedded default: one cache that the web server and the worker share with no extra service
    # (diskcache's SQLite files under var/), so a roster solved by the worker bumps the version the web
    # process reads, and throttle counters add up across processes. Its incr and add are atomic across
    # processes; ops.cache stores only strings and integers, which diskcache keeps unpickled.
    CACHES = {
        "default": {
            "BACKEND": "diskcache.DjangoCache",
            "LOCATION": env_str("CACHE_DIR", str(VAR_DIR / "cache")),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": 300,
            "OPTIONS": {"size_limit": 2**28},  # 256 MiB, culled least-recently-stored first
        }
    }

# --- capacity aggregates --------------------------------------------------------------------------------
# Where role capacity reads assigned hours. The normalised fact table is the fastest measured on
# PostgreSQL and on SQLite (bench/capacity.py prints the ratios); "jsonb" needs PostgreSQL.
ROLE_CAPACITY_SOURCE = env_choice("ROLE_CAPACITY_SOURCE", "normalized", ("python", "jsonb", "normalized"))
if ROLE_CAPACITY_SOURCE == "jsonb" and not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise EnvError("ROLE_CAPACITY_SOURCE=jsonb needs PostgreSQL (DATABASE_URL=postgres://...)")

# --- celery ---------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL",
    REDIS_URL or "filesystem://",
    ("redis", "rediss", "amqp", "pyamqp", "filesystem", "memory"),
)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
SOLVE_TIME_LIMIT_MAX = env_int("SOLVE_TIME_LIMIT_MAX", 600, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", SOLVE_TIME_LIMIT_MAX + 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", CELERY_TASK_SOFT_TIME_LIMIT + 60, minimum=1)
if CELERY_TASK_TIME_LIMIT <= CELERY_TASK_SOFT_TIME_LIMIT:
    raise EnvError("CELERY_TASK_TIME_LIMIT must be above CELERY_TASK_SOFT_TIME_LIMIT")
CELERY_FILESYSTEM_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "store_processed": False,
    }
else:
    # An unacknowledged message is redelivered after this long: it must exceed the longest task, or a
    # slow solve would be started a second time while the first still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": CELERY_TASK_TIME_LIMIT + 300,
        "socket_connect_timeout": 2,  # a request that enqueues answers 503 quickly when the broker is down
    }
    if CELERY_BROKER_URL.startswith("redis"):
        # Lets several deployments (or test runs) share one Redis without taking each other's messages.
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_BROKER_KEY_PREFIX", "") or ""
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True  # results live on ops.Job rows, not in a result backend
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "scheduler.tasks.*": {"queue": "solve"},
    "forecasting.tasks.*": {"queue": "forecast"},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "jobs-fail-stale": {"task": "ops.tasks.jobs_fail_stale", "schedule": 300.0},
    # nightly 03:15: forget audit entries past AUDIT_RETENTION_DAYS
    "audit-prune-nightly": {"task": "ops.tasks.audit_prune", "schedule": crontab(minute=15, hour=3)},
    # Mondays 02:30: retrain every demand series (fanned out over the forecast workers)
    "forecast-retrain-weekly": {
        "task": "forecasting.tasks.forecast_retrain_all",
        "schedule": crontab(minute=30, hour=2, day_of_week="mon"),
    },
}

# How long the audit trail keeps an entry (days); 0 keeps every entry for ever.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 400, minimum=0)

# --- request limits (issue 12: bad input answers 4xx) ---------------------------------------------------
# One byte limit for every request body, JSON, CSV and forms alike: past it, 413 in the error contract.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 5 * 2**20, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES

# --- fair use of the solver (issue 12) -----------------------------------------------------------------
# Solves queued or running at once per department (a 429 names them beyond it), and the solver seconds
# one user may ask for within an hour, so one planner cannot queue hours of work ahead of colleagues.
# The roster grid flags a person whose rostered hours differ from their contracted hours by more than this
# share (percent) of the contracted hours.
ROSTER_HOURS_FLAG_PERCENT = env_float("ROSTER_HOURS_FLAG_PERCENT", 10.0, minimum=0.0, maximum=1000.0)
# A roster solve stops early once its best roster is within this percentage of the best possible (the
# bound), or once the best roster has not improved for this share of the time limit (0: never stalls out).
SOLVE_EARLY_STOP_GAP_PERCENT = env_float("SOLVE_EARLY_STOP_GAP_PERCENT", 1.0, minimum=0.0, maximum=99.0)
SOLVE_STALL_SHARE = env_float("SOLVE_STALL_SHARE", 0.5, minimum=0.0, maximum=1.0)
SOLVE_MAX_ACTIVE_PER_DEPARTMENT = env_int("SOLVE_MAX_ACTIVE_PER_DEPARTMENT", 2, minimum=1)
SOLVE_SECONDS_PER_USER_HOUR = env_int("SOLVE_SECONDS_PER_USER_HOUR", 3600, minimum=1)
if SOLVE_SECONDS_PER_USER_HOUR < SOLVE_TIME_LIMIT_MAX:
    raise EnvError("SOLVE_SECONDS_PER_USER_HOUR must be at least SOLVE_TIME_LIMIT_MAX (one longest solve)")

# --- REST framework and OpenAPI ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.AuthenticatedWithKeyScope"],
    # API keys first: an anonymous request then answers 401 with WWW-Authenticate: Api-Key. DRF's
    # tokens are retired (they were stored in clear); API keys are stored hashed.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Bodies are read under REQUEST_BODY_MAX_BYTES (api/parsers.py); forms go through Django's
    # DATA_UPLOAD_MAX_MEMORY_SIZE, which is set to the same value below.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ScopedRateThrottle"],
    # One rate per scope; THROTTLE_<SCOPE> in the environment overrides it (e.g. THROTTLE_SOLVE=10/min).
    "DEFAULT_THROTTLE_RATES": {
        "solve": env_rate("THROTTLE_SOLVE", "30/min"),
        "aggregate": env_rate("THROTTLE_AGGREGATE", "600/min"),
        "bulk": env_rate("THROTTLE_BULK", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "crewplan API",
    "DESCRIPTION": "Workforce scheduling, demand forecasting and capacity planning.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from drf-spectacular-sidecar: served by us, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api",
    # Choice sets that share a field name get one explicit enum name each (no generated hash names).
    "ENUM_NAME_OVERRIDES": {
        "DepartmentKindEnum": "capacity.models.Department.Kind",
        "LeaveKindEnum": "capacity.models.Leave.Kind",
        "LeaveStatusEnum": "capacity.models.Leave.Status",
        "ProjectStatusEnum": "capacity.models.Project.Status",
        "ShiftRequestKindEnum": "scheduler.models.ShiftRequest.Kind",
        "CoverSourceEnum": "scheduler.models.CoverRequirement.Source",
        "RosterStatusEnum": "scheduler.models.Roster.Status",
        "RosterEventActionEnum": "scheduler.models.RosterEvent.Action",
        "JobStatusEnum": "ops.models.Job.Status",
        "AccessRoleEnum": "capacity.models.AccessGrant.Role",
        "ApiKeyScopeEnum": "api.models.ApiKey.Scope",
        "ForecastRunItemStatusEnum": "forecasting.models.ForecastRunItem.Status",
    },
}

# --- static files, auth, logging -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "cmdstanpy": {"level": "WARNING"},
        "prophet": {"level": "WARNING"},
    },
}

METRICS_KEY = env_str("METRICS_KEY")  # bearer token for /metrics; unset: loopback clients only

# --- accounts and secrets (issue 12: login protection) -------------------------------------------------
# Lockout after repeated failed logins (django-axes, counted in the database, so every web process and
# the admin share the count): AXES_FAILURE_LIMIT failures per user name and client address lock that
# pair out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = 1 if env_bool("BEHIND_TLS_PROXY", False) else None  # the client behind nginx
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end when the browser closes, and after SESSION_IDLE_MINUTES without a request.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", 60, minimum=1)
# each request restarts the idle clock (ops/sessions.py renews the session at most once a minute)
MIN_SECRET_LENGTH = 32


def _example_placeholders() -> dict[str, str]:
    example = BASE_DIR / "deploy" / "production.env.example"
    if not example.exists():
        return {}
    pairs = (line.partition("=") for line in example.read_text().splitlines() if line and line[0] != "#")
    return {name: value for name, _, value in pairs}


if not DEBUG:  # production start-up: a copied placeholder or a short secret stops it
    _placeholders = _example_placeholders()
    for _name, _value in (("SECRET_KEY", SECRET_KEY), ("METRICS_KEY", METRICS_KEY)):
        if _value is None:
            continue
        if _value == _placeholders.get(_name) or len(_value) < MIN_SECRET_LENGTH:
            raise EnvError(
                f"{_name} must be a secret of your own, at least {MIN_SECRET_LENGTH} characters "
                "(not the example file's placeholder)"
            )

# --- headers (issue 12) ----------------------------------------------------------------------------------
# The pages use only their own static files: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- production hardening (python manage.py check --deploy) -------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None

# --- error tracking (issue 18): Sentry, only when SENTRY_DSN is set -------------------------------------
SENTRY_DSN = env_url("SENTRY_DSN", None, ("https", "http"))
if SENTRY_DSN:
    from ops.env import env_float
    from ops.error_tracking import error_tracking_init, error_tracking_release

    error_tracking_init(
        dsn=SENTRY_DSN,
        release=env_str("SENTRY_RELEASE") or error_tracking_release(),
        environment=env_str("SENTRY_ENVIRONMENT") or ("development" if DEBUG else "production"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0, minimum=0.0, maximum=1.0),
    )

# --- read replica and connection pooling (issue 18) ------------------------------------------------------
# DATABASE_REPLICA_URL: a streaming replica for the dashboards' and reports' reads (ops/db_routing.py says
# which reads go there). DB_PGBOUNCER_TRANSACTION_POOLING: both databases are reached through pgbouncer in
# transaction mode, so no server-side cursor and no prepared statement may outlive a transaction.
DATABASE_REPLICA_URL = env_url("DATABASE_REPLICA_URL", None, ("postgres", "postgresql", "pgsql"))
DB_PGBOUNCER_TRANSACTION_POOLING = env_bool("DB_PGBOUNCER_TRANSACTION_POOLING", False)
REPLICA_READ_VIEWS = env_list("REPLICA_READ_VIEWS", ["report-*", "dashboard", "capacity"])
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5, minimum=0, maximum=3600)
REPLICA_MAX_WAIT_MS = env_int("REPLICA_MAX_WAIT_MS", 100, minimum=0, maximum=5000)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 5, minimum=0)
if DATABASE_REPLICA_URL:
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise EnvError("DATABASE_REPLICA_URL needs a PostgreSQL primary (DATABASE_URL=postgres://...)")
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    _replica["CONN_HEALTH_CHECKS"] = True
    # a replica that does not answer costs a dashboard at most this long before it reads the primary
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_REPLICA_CONNECT_TIMEOUT", 2)
    _replica["TEST"] = {"MIRROR": "default"}  # the test database reaches the replica by streaming
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["ops.db_routing.ReplicaRouter"]
    # outside the session middleware, so a session saved during the request counts as this client's write
    _session_at = [i for i, name in enumerate(MIDDLEWARE) if name.endswith("SessionMiddleware")]
    _routing_at = _session_at[0] if _session_at else len(MIDDLEWARE)
    MIDDLEWARE.insert(_routing_at, "ops.db_routing.ReplicaRoutingMiddleware")
DATABASE_REPLICA_READS = bool(DATABASE_REPLICA_URL)
if DB_PGBOUNCER_TRANSACTION_POOLING:
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise EnvError("DB_PGBOUNCER_TRANSACTION_POOLING needs PostgreSQL (DATABASE_URL=postgres://...)")
    for _alias in DATABASES.values():
        _alias["DISABLE_SERVER_SIDE_CURSORS"] = True  # QuerySet.iterator() would DECLARE a cursor WITH HOLD
        _alias.setdefault("OPTIONS", {})["prepare_threshold"] = None  # psycopg: never PREPARE

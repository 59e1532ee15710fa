"""Settings, all from the environment (django-environ). See .env.example."""

from datetime import timedelta
from pathlib import Path

import environ
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# With DEBUG off, a missing or published key stops every process at startup (embedplatform/api/checks.py).
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",  # admin login throttling: failed attempts kept in the database
    "embedplatform.api",
    "apikeys",
    "embeddings",
    "chat",
]

MIDDLEWARE = [
    "embedplatform.metrics.middleware.RequestMetricsMiddleware",  # first: it times everything below
    "embedplatform.middleware.RequestBodyLimitMiddleware",
    "embedplatform.generations.GenerationSnapshotMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # POST /v1/embeddings with an API key is answered here; everything it does not take goes on below.
    "embeddings.api.openai.fast_lane.EmbeddingsFastLaneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into its 429 page
]

# HTTPS, for a server behind a TLS-terminating proxy. Off by default so `make run` works over plain http.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_HTTPS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
# /health for a load balancer that probes over plain http inside the network: not redirected.
SECURE_REDIRECT_EXEMPT = [r"^api/health$"]

# Admin login throttling (django-axes): this many failures for one username from one address lock that pair
# out (429) for the cool-off time. Logins without a request (the test client, shell) are not counted.
AUTHENTICATION_BACKENDS = [
    "embedplatform.login_throttle.RequestLoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("ADMIN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind N proxies the client address is the Nth from the right of X-Forwarded-For; 0: REMOTE_ADDR.
AXES_IPWARE_PROXY_COUNT = env.int("ADMIN_LOGIN_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "embedplatform.urls"
WSGI_APPLICATION = "embedplatform.wsgi.application"

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

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:54329/embedplatform"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each app's migrations live in the top-level `migrations` package.
MIGRATION_MODULES = {
    "embeddings": "migrations.embeddings",
    "chat": "migrations.chat",
    "apikeys": "migrations.apikeys",
}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:63790/0")

# Nothing in the platform reads Django's cache today; if something does, a stopped or hung Redis must fail
# it fast, as it does the platform's own client (embedplatform.redis_connection).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "embedplatform",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

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
STATIC_ROOT = env(
    "STATIC_ROOT", default=None
)  # collectstatic target (Docker image); else served from finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Bodies larger than this are refused with 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=8 * 1024 * 1024)
# JSON bodies nested deeper than this (arrays/objects inside each other) are refused with 400.
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)

# Requests per API key (staff sessions: per user; others: per address), DRF syntax "N/s|min|hour|day".
# Empty turns rate limiting off. Counted in Redis (embedplatform/api/throttling.py).
API_RATE_LIMIT = env("API_RATE_LIMIT", default="600/min")
# With Redis unreachable the counts cannot be kept: true lets requests through unlimited, false refuses them.
API_RATE_LIMIT_FAIL_OPEN = env.bool("API_RATE_LIMIT_FAIL_OPEN", default=True)
# POST /v1/embeddings with an API key skips DRF's dispatch and the session/CSRF middleware
# (embeddings/api/openai/fast_lane.py); false sends it through EmbeddingsView like every other route.
API_FAST_LANE = env.bool("API_FAST_LANE", default=True)

REST_FRAMEWORK = {
    # orjson: vectors render from numpy arrays directly, ~10x faster than the json module for float lists.
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["embedplatform.api.parsers.DepthLimitedJSONParser"],
    "EXCEPTION_HANDLER": "embedplatform.api.exception_handler.handle_api_exception",
    "DEFAULT_SCHEMA_CLASS": "embedplatform.api.schema.EnvelopeAutoSchema",
    "UNAUTHENTICATED_USER": None,
    # Every route needs an API key (Authorization: Bearer) holding the view's `required_scope`, or a staff
    # session, unless a view says otherwise (embedplatform.api.permissions).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apikeys.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["embedplatform.api.permissions.HasRequiredScope"],
    "DEFAULT_THROTTLE_CLASSES": ["embedplatform.api.throttling.ApiKeyRateThrottle"],
}

# Like every /api/* route, the schema and Swagger UI need a key or a staff session (log in at /admin/);
# they hold no data, so API_DOCS_PUBLIC=true may open them to anyone.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)

# /metrics (Prometheus) needs `Authorization: Bearer <METRICS_TOKEN>` when set; empty leaves it open, for a
# /metrics that only a firewall or the reverse proxy lets Prometheus reach.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

SPECTACULAR_SETTINGS = {
    "TITLE": "embedplatform API",
    "DESCRIPTION": (
        "Self-hosted embeddings. `/v1/embeddings` and `/v1/models` follow OpenAI's API, so the `openai` SDK "
        "and tools built on it work with `base_url=<server>/v1`. Every route but `/api/health` needs "
        "`Authorization: Bearer <API key>` (or a staff session). Errors use OpenAI's envelope "
        '`{"error": {"message", "type", "param", "code"}}`.'
    ),
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this server: the docs work offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": (
        ["rest_framework.permissions.AllowAny"]
        if API_DOCS_PUBLIC
        else ["embedplatform.api.permissions.HasApiKeyOrStaff"]
    ),
    "COMPONENT_SPLIT_REQUEST": True,
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 600
# Queues: one place. A worker started without -Q consumes every queue listed here; tasks are routed by name,
# so the web side sends them without knowing queue names (embeddings.client.dispatch).
CELERY_TASK_DEFAULT_QUEUE = "default"
EMBEDDING_QUEUE = env("EMBEDDING_QUEUE", default="embeddings")
# Live writes (a message just saved) have a queue of their own, so they never wait behind a backfill's tasks.
EMBEDDING_LIVE_QUEUE = env("EMBEDDING_LIVE_QUEUE", default="embeddings-live")
CELERY_TASK_QUEUES = [Queue(EMBEDDING_LIVE_QUEUE), Queue(EMBEDDING_QUEUE), Queue(CELERY_TASK_DEFAULT_QUEUE)]
# Every embeddings task runs where the models are: stored vectors of the configs a worker serves.
CELERY_TASK_ROUTES = {
    "embeddings.embed_live": {"queue": EMBEDDING_LIVE_QUEUE},
    "embeddings.*": {"queue": EMBEDDING_QUEUE},
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # few reserved tasks: an API task is not stuck behind them
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker outlives a Redis outage of any length, then resumes
# A task a killed worker held (acks_late) comes back once it has been unacknowledged this long, so it must
# outlast the longest task (the embedding tasks' time_limit is 660 s) or a running task would run twice.
TASK_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,  # a hung Redis fails a publish in seconds (a save's on_commit hook sends tasks)
    "health_check_interval": 10,
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT_SECONDS,
    "unacked_restore_interval": 2,  # look for overdue unacknowledged tasks every 2 s
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 10

# The embeddings app's settings, read through embeddings.conf.embedding_setting(), which holds the defaults
# and what each one means. Only variables set in the environment override them (see .env.example).
EMBEDDING_ENVIRONMENT = {
    # The first config, created when none exists.
    "PROVIDER": ("EMBEDDING_PROVIDER", str),
    "MODEL": ("EMBEDDING_MODEL", str),
    "PRECISION": ("EMBEDDING_PRECISION", str),
    "DIMENSIONS": ("EMBEDDING_DIMENSIONS", int),
    "BACKEND": ("EMBEDDING_BACKEND", str),
    "INPUT_OVERFLOW": ("EMBEDDING_INPUT_OVERFLOW", str),
    # Serving.
    "REQUEST_TIMEOUT_SECONDS": ("EMBEDDING_REQUEST_TIMEOUT_SECONDS", float),
    "MAX_TEXTS_PER_REQUEST": ("EMBEDDING_MAX_TEXTS_PER_REQUEST", int),
    "MAX_TEXT_CHARS": ("EMBEDDING_MAX_TEXT_CHARS", int),
    # Worker.
    "DEVICE": ("EMBEDDING_DEVICE", str),
    "TORCH_THREADS": ("EMBEDDING_TORCH_THREADS", int),
    "TORCH_TRACE": ("EMBEDDING_TORCH_TRACE", bool),
    "TORCH_PARALLEL_RUNS": ("EMBEDDING_TORCH_PARALLEL_RUNS", bool),
    "ONNX_SPINNING": ("EMBEDDING_ONNX_SPINNING", bool),
    "ONNX_PARALLEL_RUNS": ("EMBEDDING_ONNX_PARALLEL_RUNS", bool),
    "ONNX_FUSE_SKIP_LAYER_NORM": ("EMBEDDING_ONNX_FUSE_SKIP_LAYER_NORM", bool),
    "ONNX_FUSE_GELU": ("EMBEDDING_ONNX_FUSE_GELU", bool),
    "BATCH_MAX_TEXTS": ("EMBEDDING_BATCH_MAX_TEXTS", int),
    "CACHE_SIZE": ("EMBEDDING_CACHE_SIZE", int),
    "WORKER_HEARTBEAT_SECONDS": ("EMBEDDING_WORKER_HEARTBEAT_SECONDS", float),
    "WORKER_STALE_SECONDS": ("EMBEDDING_WORKER_STALE_SECONDS", float),
    "WORKER_MAX_MODELS": ("EMBEDDING_WORKER_MAX_MODELS", int),
    "ACTIVATION_TIMEOUT_SECONDS": ("EMBEDDING_ACTIVATION_TIMEOUT_SECONDS", float),
    "ACTIVATION_GRACE_SECONDS": ("EMBEDDING_ACTIVATION_GRACE_SECONDS", float),
    "JOB_STALL_SECONDS": ("EMBEDDING_JOB_STALL_SECONDS", float),
    "WORKER_BULK_SLOTS": ("EMBEDDING_WORKER_BULK_SLOTS", int),
    "WORKER_BULK_SLOT_WAIT_SECONDS": ("EMBEDDING_WORKER_BULK_SLOT_WAIT_SECONDS", float),
    "HUB_CONNECT_TIMEOUT_SECONDS": ("EMBEDDING_HUB_CONNECT_TIMEOUT_SECONDS", float),
    "MODEL_CACHE": ("EMBEDDING_MODEL_CACHE", str),
    # Stored vectors and search.
    "SOURCE_CHUNK_SIZE": ("EMBEDDING_SOURCE_CHUNK_SIZE", int),
    "HNSW_EF_SEARCH": ("EMBEDDING_HNSW_EF_SEARCH", int),
    "INDEX_BUILD_MEMORY": ("EMBEDDING_INDEX_BUILD_MEMORY", str),
}
EMBEDDINGS = {
    key: env.get_value(variable, cast=cast)
    for key, (variable, cast) in EMBEDDING_ENVIRONMENT.items()
    if variable in env
}

# The chat app's settings.
CHAT = {
    "PAGE_SIZE": env.int("CHAT_PAGE_SIZE", default=50),
    "MAX_PAGE_SIZE": env.int("CHAT_MAX_PAGE_SIZE", default=500),
}

# No request text and no vector reaches a log. A request leaves one access-log line (granian's, path without
# query string: embedplatform/web_server.py); Django's own "Bad Request: /path" lines for 4xx/5xx would be
# a second one, so django.request keeps only the records that carry a traceback (an unhandled error).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "with_traceback": {
            "()": "django.utils.log.CallbackFilter",
            "callback": lambda record: record.exc_info is not None,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"django.request": {"filters": ["with_traceback"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

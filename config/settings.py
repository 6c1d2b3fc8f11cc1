"""Settings, read from the environment (django-environ).

DEBUG defaults to False. Outside DEBUG a missing SECRET_KEY, DATABASE_URL or TRUSTED_PROXY_COUNT
is an error, never a silent default, and a ``.env`` file is not read: production settings come
from the real environment only (docker compose passes .env in through ``env_file``), so a file
left in the image or the working directory cannot change them. ``make run`` sets DEBUG=true,
reads ``.env`` when there is one and uses an embedded SQLite file.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DEBUG", default=False):  # DEBUG from the real environment, never from the file
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-only-for-debug")
    DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
else:
    try:
        SECRET_KEY = env.str("SECRET_KEY")
        DATABASES = {"default": env.db("DATABASE_URL")}
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(f"{exc} (required when DEBUG is off; see .env.example)") from exc

DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
# A connection dropped by a database restart or failover is replaced before a request uses it,
# and a connection attempt gives up after DB_CONNECT_TIMEOUT seconds: while PostgreSQL is away,
# requests answer 503 "reconnecting" at once (reviewapp/reconnecting.py) instead of holding a worker.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=3)
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "modeltranslation",  # before django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "questions",
    "reviewapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.DatabaseReconnectingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "reviewapp.api.language.ApiLanguageMiddleware",  # the API's default language is English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewapp.notifications.context.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses sign-ins while locked out
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling (django-axes): after 5 failures for one username from one address, that
# pair is locked out for 15 minutes; after 20 for one username from any addresses, the username
# is, so that rotating addresses gives no unlimited guesses. A success resets the counts.
# (reviewapp/signin_limits.py gives axes the threshold of whichever count is over its own.)
SIGNIN_PAIR_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
SIGNIN_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_FAILURE_LIMIT = "reviewapp.signin_limits.failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]  # the order signin_limits relies on
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind N proxies that append to X-Forwarded-For (TRUSTED_PROXY_COUNT; a load balancer: 1), the client is the
# N-th entry from the right; with 0 (no proxy), the connection's address (config/client_ip.py).
# In production it must be said: a wrong guess either trusts forged addresses or locks out the
# balancer's address for everyone.
if DEBUG:
    TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
elif "TRUSTED_PROXY_COUNT" not in env.ENVIRON:
    raise ImproperlyConfigured(
        "Set TRUSTED_PROXY_COUNT: the number of proxies in front that append to X-Forwarded-For "
        "(0 when nothing stands in front of gunicorn, 1 behind one load balancer; see docs/deployment.md)"
    )
else:
    TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT")
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Content-Security-Policy (django-csp): scripts only from our own origin, never inline.
# Inline styles stay allowed for the admin and the API docs (Redoc), which set them from script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reviewapp:workload_list"
LOGOUT_REDIRECT_URL = "login"

# The live view keeps presence (who is where) and reports are kept in the cache, which must be
# shared by every web process. CACHE_URL names one (Redis for several machines: docker-compose
# uses it). Without it, a file cache on this machine is shared by its processes; under DEBUG
# (runserver, one process) memory does. Django's file cache unpickles what it finds, so its folder
# (CACHE_DIR, default var/cache in the app) must be ours alone: reviewapp/checks.py creates it with
# mode 0700 and refuses one that another user owns or that group or others may write.
CACHE_DIR = Path(env.str("CACHE_DIR", default=str(BASE_DIR / "var" / "cache")))
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://reviewapp" if DEBUG else f"filecache://{CACHE_DIR}")}
# The question bank's text as the review pages render it (a practice's title, description and
# resources per language): a published lens never changes, so each process keeps what it rendered
# ({% cache %} in templates/reviewapp/_review_parts.html, keyed by the choice or question and the
# language; never used for a draft lens). Local memory: nothing to share, nothing to invalidate.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # A Redis that cannot be reached fails the request within a second (and /healthz says so)
    # instead of holding a sync worker until the operating system gives up on the connection.
    _redis_options = CACHES["default"].setdefault("OPTIONS", {})
    _redis_options.setdefault("socket_connect_timeout", 1.0)
    _redis_options.setdefault("socket_timeout", 1.0)
# The session lookup costs more than a small save: with a cache known to be shared by every
# node (CACHE_URL) sessions are read from it. Without one they stay in the database alone, so
# that signing out on one machine can never leave the session alive in another machine's cache.
# config/sessions.py is Django's cached_db made to survive a cache outage: reads fall back to the
# database, and a session signed out while the cache was away is not brought back by it. Each
# process rereads the list of such sessions at most this often (seconds).
SESSION_ENGINE = "config.sessions" if DEBUG or "CACHE_URL" in env.ENVIRON else "django.contrib.sessions.backends.db"
SESSION_STALE_RECHECK_SECONDS = 1.0

# Background jobs (PDF reports) run on Django's Tasks API (django-tasks). The default backend keeps
# the queue in this database, so one machine needs nothing more than `manage.py db_worker` beside
# the web processes (`make run` and docker-compose start one). Several machines may switch to a
# distributed backend on the Redis of CACHE_URL (docs/deployment.md, "Background jobs").
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":  # in requirements.txt; tests/test_rq_backend.py
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": env.str("TASKS_REDIS_URL", default=env.str("CACHE_URL", default=""))}}
# A report render that has shown no result for this long is taken for lost (its worker killed)
# and queued again by the next person who asks; only the newest attempt may write the result.
REPORT_RENDER_STALE_SECONDS = env.int("REPORT_RENDER_STALE_SECONDS", default=120)

# Outbound webhooks (reviewapp/webhooks.py): delays between delivery attempts (seconds; one more
# attempt than delays), and the networks besides public addresses they may call (e.g. an
# in-house receiver on 10.0.0.0/8). Empty: public addresses only.
WEBHOOK_RETRY_DELAYS = env.list("WEBHOOK_RETRY_DELAYS", cast=int, default=[10, 60, 300, 1800, 7200])
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# Issue trackers (reviewapp/trackers/): their tokens are stored encrypted with these Fernet keys
# (comma-separated, the first encrypts, all decrypt: put a new key first to rotate; make one with
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# Unset under DEBUG, a key derived from SECRET_KEY is used; unset otherwise, trackers cannot be
# connected. Tracker addresses are checked like webhook URLs (WEBHOOK_ALLOWED_NETWORKS). Failed
# syncs are retried after these delays (seconds), or later when the tracker says so (Retry-After).
TRACKER_TOKEN_KEYS = env.list("TRACKER_TOKEN_KEYS", default=[])
TRACKER_RETRY_DELAYS = env.list("TRACKER_RETRY_DELAYS", cast=int, default=[30, 120, 600, 1800, 7200])

# Notification mails (reviewapp/notifications/). EMAIL_URL names the backend, django-environ style:
# smtp+tls://user:password@smtp.example.com:587 (or smtps:// for TLS from the start); make run
# prints mails on the console. SITE_URL is the address people open the app at, with any path
# prefix the proxy adds (https://review.example.com or https://example.com/review): every link in
# a mail starts with it, since a job on the queue has no request to take a host from.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Well-Architected Review <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "ko"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("ko", "en"), "ko": ("en",), "en": ("ko",)}
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Each milestone copies every answer of its review: a review keeps at most this many.
MILESTONES_PER_REVIEW = env.int("MILESTONES_PER_REVIEW", default=100)

# Imported files (a review's answers from the AWS tool) may be up to 5 MB, uploaded on the review
# page or sent as the API's request body; Django refuses larger request bodies (the API says so in JSON).
IMPORT_MAX_BYTES = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_BYTES

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # probes come over plain HTTP from inside
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviewapp.api.auth.ApiTokenAuthentication",  # first: its header makes unauthenticated calls 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reviewapp.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reviewapp.api.errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "reviewapp.api.parsers.ProjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Well-Architected Review API",
    "DESCRIPTION": "Workloads, reviews, answers, risk summaries, improvement plans and milestones. "
    "Authenticate with a personal token (`Authorization: Bearer YOUR_TOKEN`) or a browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations grouped by resource with readable summaries (reviewapp/api/docs.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reviewapp.api.docs.group_and_summarise",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ImprovementStatusEnum": "reviewapp.models.ImprovementItem.Status",
        "LensStatusEnum": "questions.models.Lens.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

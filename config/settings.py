"""Docent settings: one file, every deploy-specific value read from the environment.

Variables are documented in docs/production.md ("Configuration"). A `.env` file in the
project root is read when present.
"""

import ipaddress
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production")
else:
    # No usable default outside debug. Commands that sign nothing (makemigrations,
    # migrate) still run; serving refuses to start (config/wsgi.py, config/asgi.py),
    # and Django raises ImproperlyConfigured wherever an empty key would be used.
    SECRET_KEY = env("SECRET_KEY", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# English unless the browser (Accept-Language) or the person's account asks for German
# (accounts.middleware.AccountLanguageMiddleware). Translations: config/locale (docs/development.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    "config.apps.DocentAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API's documentation page uses its Swagger UI files, served from static/
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "accounts",
    "settings_app",
    "workspaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "config.middleware.RejectNulQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.FirstRunMiddleware",
    "accounts.second_factor.SecondFactorRequiredMiddleware",
]

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers share one SQLite file: WAL lets readers run beside
    # a writer, and IMMEDIATE transactions queue writers instead of deadlocking.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not memory, so concurrency tests get real connections.
    DATABASES["default"]["TEST"] = {"NAME": env("SQLITE_TEST_DB", default=str(BASE_DIR / "test-db.sqlite3"))}

# CACHES
# ------------------------------------------------------------------------------
# Without CACHE_URL, a file cache in the project: every process of one checkout (the web server's
# workers and the ingestion workers) shares it, as settings, vector versions and rate limits need.
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{BASE_DIR / '.cache' / 'django'}")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Short timeouts and every failure a cache miss: a Redis outage is not an outage (config/cache.py).
    CACHES["default"]["BACKEND"] = "config.cache.ResilientRedisCache"
# Keys name the database their values came from: a new or recreated database starts with an empty
# cache, even in a checkout whose cache folder (or a Redis) is kept (config/cache_keys.py).
CACHES["default"]["KEY_FUNCTION"] = "config.cache_keys.database_scoped_key"

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins allowed per username and per client address within the window.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=30)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# "That username is taken" answers per invite code and per client address within that window.
INVITE_FAILURE_LIMIT = env.int("INVITE_FAILURE_LIMIT", default=10)
INVITE_FAILURE_LIMIT_PER_IP = env.int("INVITE_FAILURE_LIMIT_PER_IP", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
# e.g. django.contrib.sessions.backends.cached_db with a Redis CACHE_URL.
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")
# The client address (lockouts, throttles, audit trail) is REMOTE_ADDR, unless the request
# comes from one of TRUSTED_PROXY_IPS (the reverse proxies' addresses or networks): then it is
# the X-Forwarded-For entry TRUSTED_PROXY_COUNT from the right, the one the proxies appended
# (accounts.audit.client_ip). Anyone can send the header, so without the list it is ignored.
TRUSTED_PROXY_IPS = [ipaddress.ip_network(entry, strict=False) for entry in env.list("TRUSTED_PROXY_IPS", default=[])]
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if TRUSTED_PROXY_IPS else 0)

# SINGLE SIGN-ON AND TWO-FACTOR: config/settings_sign_in.py (OIDC providers, LDAP, TOTP)
from config.settings_sign_in import *  # noqa: E402, F403

# TEMPLATES
# ------------------------------------------------------------------------------
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
                "settings_app.context_processors.branding",
                "workspaces.context_processors.site_permissions",
            ],
        },
    },
]

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# No MEDIA_URL route exists: stored documents are only served by views that check access.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.StaticStorage"
        ),
    },
}
# Finders let whitenoise serve files that `collectstatic` has not copied yet.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_MANIFEST_STRICT = False
# Form fields (not files) held in memory, and the size above which an uploaded
# file is streamed to a temporary file. The upload size limit is the
# max_upload_mb system setting: the upload view checks it against the request's
# Content-Length before the body is read (413), then against each file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# SECURITY
# ------------------------------------------------------------------------------
# On by default with DEBUG off; each can be switched off, e.g. for a local
# production-like run over plain http.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Load balancers probe /healthz over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
# Scripts only from our own origin: no inline script, no CDN. Inline styles stay
# allowed for the Django admin's widgets.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # httpx logs every request at INFO; Docent logs the failures that matter itself (workspaces/outgoing.py).
    "loggers": {"django.request": {"level": "ERROR"}, "httpx": {"level": "WARNING"}},
}

# DOCENT
# ------------------------------------------------------------------------------
# Model servers (language model, embeddings, reranking): config/settings_models.py
from config.settings_models import *  # noqa: E402, F403

# Questions one person may ask per minute (0 = no limit); counted in the database.
CHAT_RATE_LIMIT_PER_MINUTE = env.int("CHAT_RATE_LIMIT_PER_MINUTE", default=10)

# EMAIL (optional)
# ------------------------------------------------------------------------------
# With EMAIL_URL (e.g. smtp+tls://user:pass@mail.example.com:587) users may ask for a
# password reset link from the sign-in page; without it, admins and managers issue links.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="docent@localhost")
# Asking for a link (accounts/reset_requests.py): requests per client address, and links mailed
# per account, within the window; beyond them the page answers the same and nothing is sent.
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=3)
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=3600)
# DOCUMENT EXTRACTION, OCR AND SOURCES: config/settings_documents.py
from config.settings_documents import *  # noqa: E402, F403

# BACKGROUND WORK AND OBJECT STORAGE (ingestion)
# ------------------------------------------------------------------------------
# Django's tasks API (the django-tasks backport): the database backend by default, so a
# worker (`manage.py ingestion_worker`) needs nothing but the database. See docs/production.md ("Background work").
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}
# A run past this fails the document; a run silent (no heartbeat) this long is taken back
# by the recovery sweep; transient errors are retried this many times in all, with backoff.
INGEST_TIME_LIMIT_SECONDS = env.int("INGEST_TIME_LIMIT_SECONDS", default=900)
INGEST_STALE_SECONDS = env.int("INGEST_STALE_SECONDS", default=300)
INGEST_MAX_ATTEMPTS = env.int("INGEST_MAX_ATTEMPTS", default=3)
INGEST_RETRY_BACKOFF_SECONDS = env.float("INGEST_RETRY_BACKOFF_SECONDS", default=10.0)
INGEST_SWEEP_SECONDS = env.float("INGEST_SWEEP_SECONDS", default=30.0)
# Documents in an S3-compatible bucket when S3_BUCKET is set (django-storages), else MEDIA_ROOT.
S3_BUCKET = env("S3_BUCKET", default="")
S3_DOWNLOAD_URL_SECONDS = env.int("S3_DOWNLOAD_URL_SECONDS", default=60)
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env("S3_ADDRESSING_STYLE", default=None),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "signature_version": "s3v4",
        },
    }

"""Django settings, read from the environment (see docs/configuration.md).

Every operator-facing setting is a ``GONGZHI_*`` environment variable; defaults are safe for production
(DEBUG off, secure cookies) except where ``GONGZHI_DEBUG=1`` is set for local development.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (os.environ.get(name) or default).split(",") if item.strip()]


DEBUG = env_bool("GONGZHI_DEBUG", False)
TESTING = env_bool("GONGZHI_TESTING", False)
# Set by the ``gongzhi`` script for the file-to-file tools (``gongzhi nlp classify`` …) when no keys are
# configured: they read and write files only, so they get throwaway keys and no database at all.
FILE_TOOL = env_bool("GONGZHI_FILE_TOOL", False)

VAR_DIR = Path(env("GONGZHI_VAR_DIR") or (Path.cwd() / "var"))

SECRET_KEY = env("GONGZHI_SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or TESTING or FILE_TOOL:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("GONGZHI_SECRET_KEY must be set (or GONGZHI_DEBUG=1 for development).")

GONGZHI_DATA_KEY = env("GONGZHI_DATA_KEY") or ""
if not GONGZHI_DATA_KEY:
    if DEBUG or TESTING or FILE_TOOL:
        GONGZHI_DATA_KEY = "insecure-development-data-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("GONGZHI_DATA_KEY must be set: it encrypts ID numbers and phones.")
GONGZHI_OLD_DATA_KEYS = env_list("GONGZHI_OLD_DATA_KEYS")
GONGZHI_FIELD_CIPHER = env("GONGZHI_FIELD_CIPHER", "aes-256-gcm")
GONGZHI_AUDIT_HASH = env("GONGZHI_AUDIT_HASH", "sha256")
GONGZHI_SMS_BACKEND = env("GONGZHI_SMS_BACKEND", "")

ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("GONGZHI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.audit",
    "gongzhi.regions",
    "gongzhi.people",
    "gongzhi.cases",
    "gongzhi.intelligence",
    "gongzhi.insights",
    "gongzhi.party",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongzhi.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

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
                "gongzhi.core.context_processors.navigation",
            ],
        },
    }
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'gongzhi.sqlite3'}"
DATABASE_URL = env("GONGZHI_DATABASE_URL") or DEFAULT_DATABASE_URL
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("GONGZHI_DB_CONN_MAX_AGE", "60")))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN so concurrent requests queue instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }
    if DATABASES["default"].get("NAME") and DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if FILE_TOOL:  # any database access fails loudly instead of writing with a throwaway key
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["gongzhi.accounts.backends.UsernameOrPhoneBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
GONGZHI_LOGIN_MAX_FAILURES = int(env("GONGZHI_LOGIN_MAX_FAILURES", "5"))
GONGZHI_LOGIN_LOCKOUT_MINUTES = int(env("GONGZHI_LOGIN_LOCKOUT_MINUTES", "15"))

# Sessions and cookies: secure by default; GONGZHI_INSECURE_COOKIES=1 only for plain-HTTP intranet demos.
_secure_cookies = not (DEBUG or TESTING or env_bool("GONGZHI_INSECURE_COOKIES", False))
SESSION_COOKIE_SECURE = _secure_cookies
CSRF_COOKIE_SECURE = _secure_cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("GONGZHI_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("GONGZHI_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(env("GONGZHI_HSTS_SECONDS", "0"))
if env_bool("GONGZHI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("GONGZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("GONGZHI_STATIC_ROOT") or (VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("GONGZHI_MEDIA_ROOT") or (VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Optional map tile URL template (e.g. an intranet tile server); empty = our own GeoJSON only.
GONGZHI_MAP_TILE_URL = env("GONGZHI_MAP_TILE_URL", "")

# Background jobs: SQLite-backed huey by default, Redis when GONGZHI_REDIS_URL is set.
GONGZHI_REDIS_URL = env("GONGZHI_REDIS_URL", "")
if GONGZHI_REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "gongzhi",
        "url": GONGZHI_REDIS_URL,
        "immediate": TESTING,
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # huey opens its file when Django starts
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongzhi",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
    }

# The cache holds counters that must be shared by every worker process (public lookup and check-in code
# attempt limits) and the per-user hotspot lists: Redis when configured, else files under var/ (shared by
# the processes of one machine). Tests keep Django's per-process memory cache.
if GONGZHI_REDIS_URL and not TESTING:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": GONGZHI_REDIS_URL,
            "KEY_PREFIX": "gongzhi",
        }
    }
elif not TESTING:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # culling drops a third of the entries at random: keep it far above what a district stores
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("GONGZHI_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # a handler of its own keeps `run_huey` from adding a second one (each line was logged twice)
        "huey": {"handlers": ["console"], "level": env("GONGZHI_LOG_LEVEL", "INFO"), "propagate": False},
    },
}

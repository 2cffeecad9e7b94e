"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .env import (
    BASE_DIR,
    database_from_url,
    default_database_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "campus.core",
    "campus.people",
    "campus.catalog",
    "campus.scheduling",
    "campus.registrations",
    "campus.notifications",
    "campus.documents",
    "campus.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A DomainError no view caught: the refusal page (409, or 503 when busy), never a 500.
    "campus.core.middleware.DomainErrorMiddleware",
    # Last, as django-axes requires, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "campus.portal.navigation.navigation",
            ],
        },
    },
    # Hot fragments of pages (campus/core/jinja.py), included with {% jinja_include %}.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "campus.core.jinja.environment"},  # autoescaped
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", default_database_url()))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username + address before any password check.
    "axes.backends.AxesStandaloneBackend",
    "campus.people.auth_backends.LoginBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "people:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day: agents read their mail on shift

# django-axes: lock a username from one address after repeated failures, for a
# finite time, so a colleague mistyping does not lock the whole office out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# One-time first-sign-in codes printed for agents without e-mail.
CAMPUS_FIRST_SIGNIN_CODE_DAYS = env_int("CAMPUS_FIRST_SIGNIN_CODE_DAYS", 30)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Mail: console in development, SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Campus <campus@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work through the django-tasks API, stored in the database and run
# by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Content Security Policy: everything is served by Campus itself (no CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

# Rendered fragments (campus.core.freshness) live in each worker's memory: their keys
# carry a stamp read from the database, so a worker never serves a copy older than the
# data, and no cache server is needed on the school's intranet.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "campus",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

SCHOOL_NAME = env_str("CAMPUS_SCHOOL_NAME", "École interne de formation")

# The longest wait for a row lock that counts seats (campus.core.locking): past it the
# person is told to try again (HTTP 503) and nothing is written.
CAMPUS_LOCK_TIMEOUT_S = env_int("CAMPUS_LOCK_TIMEOUT_S", 5)

# Notifications (campus.notifications): links in mails are absolute, built on this address.
CAMPUS_BASE_URL = env_str("CAMPUS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reminder sent this many days before a session, unless the session says otherwise.
CAMPUS_REMINDER_DAYS_BEFORE = env_int("CAMPUS_REMINDER_DAYS_BEFORE", 2)
# Coordinators hear of a session still under its minimum this many days before it starts.
CAMPUS_MIN_PARTICIPANTS_ALERT_DAYS = env_int("CAMPUS_MIN_PARTICIPANTS_ALERT_DAYS", 7)
# Managers' daily digest (agents without e-mail) leaves from this hour, Paris time.
CAMPUS_DIGEST_HOUR = env_int("CAMPUS_DIGEST_HOUR", 7)
# A message that keeps failing is retried with a doubling delay, then marked failed.
CAMPUS_MAIL_MAX_ATTEMPTS = env_int("CAMPUS_MAIL_MAX_ATTEMPTS", 6)
CAMPUS_MAIL_RETRY_SECONDS = env_int("CAMPUS_MAIL_RETRY_SECONDS", 60)

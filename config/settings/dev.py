"""Local development: `make run`. DEBUG on unless the environment says otherwise."""

from .base import *  # noqa: F403
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# Mail lands in var/mail/ so the demo shows it without an SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo school, the data generator and the bench's floor page (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "campus.devtools"]  # noqa: F405

"""Test settings: the same as production where it matters, fast where it does not."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# SQLite tests use a file, not memory, so that tests with several connections
# (threads, processes) see the same database.
# One file per test process, so that two runs on one machine do not share it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get(
            "CAMPUS_TEST_SQLITE_NAME",
            str(BASE_DIR / "var" / f"test-campus-{os.getpid()}.sqlite3"),  # noqa: F405
        )
    }

# Static files straight from the app folders, no collectstatic needed.
STATIC_ROOT = None  # type: ignore[assignment]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo school, the data generator and the bench's floor page (never in production).
INSTALLED_APPS = [*INSTALLED_APPS, "campus.devtools"]  # noqa: F405

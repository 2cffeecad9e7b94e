"""Settings: the database tuning and the production checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.settings.env import database_from_url

ROOT = Path(__file__).resolve().parent.parent


def test_sqlite_url_gets_wal_immediate_and_busy_timeout() -> None:
    config = database_from_url("sqlite:///var/some.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert Path(config["NAME"]).is_absolute()


def test_sqlite_connections_are_kept_between_requests(monkeypatch) -> None:
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    assert database_from_url("sqlite:///var/some.sqlite3")["CONN_MAX_AGE"] == 60
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "0")
    assert database_from_url("sqlite:///var/some.sqlite3")["CONN_MAX_AGE"] == 0


def test_postgres_url_uses_psycopg_backend() -> None:
    config = database_from_url("postgres://campus:secret@db.example:5433/campus")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "campus")


def test_unsupported_database_is_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        database_from_url("mysql://u:p@h/db")


@pytest.mark.django_db
def test_live_sqlite_connection_is_wal_and_immediate() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_french_first_in_paris() -> None:
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]


def test_passwords_hashed_with_argon2_in_production() -> None:
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _production_env() -> dict[str, str]:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process only.
    dropped = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="campus.example.fr",
    )
    return env


def test_production_settings_pass_check_deploy() -> None:
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_secret_key() -> None:
    env = _production_env()
    del env["SECRET_KEY"]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_in_production_even_if_asked() -> None:
    env = _production_env()
    env["DEBUG"] = "1"
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = _manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_base_settings_default_to_debug_off() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    code = "import config.settings.base as b; print(b.DEBUG)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_no_missing_migrations() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    result = _manage("makemigrations", "--check", "--dry-run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr

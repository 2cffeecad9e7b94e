"""The bench's floor page: no query where the tools are installed, absent in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_floor_page_costs_no_query(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = client.get("/_dev/plancher/")
    assert response.status_code == 200


def test_production_settings_route_no_development_page():
    """Production does not install campus.devtools: neither the floor nor its commands exist."""
    script = (
        "import django; django.setup();"
        "from django.urls import Resolver404, resolve;"
        "from django.apps import apps;"
        "from django.core.management import get_commands;"
        "assert not apps.is_installed('campus.devtools');"
        "assert 'load_demo' not in get_commands() and 'generate_data' not in get_commands();"
        "\ntry:\n    resolve('/_dev/plancher/')\nexcept Resolver404:\n    print('404')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "production-settings-check-" + "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "404"

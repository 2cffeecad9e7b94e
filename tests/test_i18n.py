"""French first, English second: the catalogue is complete and the switch works."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"


def test_english_catalogue_is_compiled_and_current() -> None:
    """django.mo must hold every entry of django.po (run `make messages` after editing)."""
    import gettext

    po_text = (LOCALE / "django.po").read_text(encoding="utf-8")
    po_entries = po_text.count("\nmsgid ") - 1  # minus the header
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    compiled = [key for key in catalogue._catalog if key not in ("", ("", 0))]
    singular = {key[0] if isinstance(key, tuple) else key for key in compiled}
    assert len(singular) == po_entries


def test_english_catalogue_has_no_empty_translation() -> None:
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    empty = [e for e in entries if 'msgstr ""\n' in e + "\n" and 'msgstr ""\n"' not in e]
    assert empty == []


def test_interface_strings_switch_to_english() -> None:
    with translation.override("en"):
        assert translation.gettext("Accueil") == "Home"
        assert (
            translation.gettext("Se déconnecter") == "Sign out"
            or translation.gettext("Se déconnecter") == "Log out"
        )
    with translation.override("fr"):
        assert translation.gettext("Accueil") == "Accueil"


@pytest.mark.django_db
def test_language_switch_over_http(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/connexion/"}, follow=True)
    assert response.status_code == 200
    assert "Sign in" in response.content.decode() or "Log in" in response.content.decode()
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/connexion/"}, follow=True)
    assert "Connexion" in response.content.decode()

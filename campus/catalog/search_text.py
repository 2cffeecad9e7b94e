"""Accent- and case-insensitive search that behaves the same on SQLite and PostgreSQL.

Neither `unaccent` (PostgreSQL only) nor SQLite's ASCII-only `LIKE` folding can be
relied on, so the text is folded once in Python, stored on the course, and the
query is folded the same way before an `icontains`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Ligatures that NFKD leaves whole but people type as two letters.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case `text` and strip its accents: "Écrire l'Œuvre" -> "ecrire l'oeuvre"."""
    lowered = text.casefold().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_words(query: str) -> list[str]:
    """The folded words of a search box entry, each of which must match."""
    return fold(query).split()


def build_search_text(parts: Iterable[str]) -> str:
    """One folded string from the searchable texts, separated so words never merge."""
    return "\n".join(fold(part) for part in parts if part)

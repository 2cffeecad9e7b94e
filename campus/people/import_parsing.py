"""Reading HR CSV files: encoding, separator, column names and cell values.

Nothing here touches the database. `parse_csv` turns the bytes of an upload
into rows keyed by canonical column names; the value parsers turn one cell
into a Python value or raise `ValueError` with a French sentence.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from campus.core.exceptions import DomainError

# A sanity bound, far above the largest member organisation, that keeps one
# upload from holding a worker for minutes.
MAX_ROWS = 100_000
DELIMITERS = (";", "\t", ",")

REQUIRED_COLUMNS = ("structure", "matricule", "nom", "prenom")

# Canonical column name -> accepted header spellings, after `normalize_header`.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "structure": ("structure", "collectivite", "organisation", "code_structure", "etablissement"),
    "matricule": ("matricule", "matricule_agent", "numero_agent"),
    "nom": ("nom", "nom_usage", "nom_d_usage", "nom_de_famille"),
    "prenom": ("prenom",),
    "email": ("email", "e_mail", "mail", "courriel", "adresse_mail", "adresse_e_mail"),
    "telephone": ("telephone", "tel", "telephone_professionnel", "tel_pro"),
    "service": ("service", "direction", "affectation", "direction_service"),
    "emploi": ("emploi", "fonction", "emploi_fonction", "poste", "intitule_du_poste"),
    "categorie": ("categorie", "cat"),
    "statut": ("statut",),
    "sexe": ("sexe", "genre"),
    "matricule_responsable": ("matricule_responsable", "responsable", "matricule_n_1", "n_1"),
    "structure_responsable": ("structure_responsable", "structure_du_responsable"),
    "encadrant": ("encadrant", "encadrement", "poste_d_encadrement"),
    "encadrant_depuis": ("encadrant_depuis", "date_encadrement", "encadrement_depuis"),
    "date_arrivee": ("date_arrivee", "date_d_arrivee", "date_entree", "arrivee"),
    "date_depart": ("date_depart", "date_de_depart", "date_sortie", "depart"),
}
_HEADER_TO_COLUMN = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class LineError:
    """One reason to refuse a file. `line` counts physical lines, the header being line 1."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


class ImportRefused(DomainError):
    """The file was refused as a whole; `errors` says why, line by line."""

    def __init__(self, errors: list[LineError], warnings: list[str] | None = None) -> None:
        super().__init__(
            _("Le fichier est refusé (%(count)s erreur(s)) : rien n'a été modifié.")
            % {"count": len(errors)},
            code="agent_import.refused",
        )
        self.errors = sorted(errors, key=lambda e: e.line or 0)
        self.warnings = warnings or []


@dataclass(frozen=True)
class ParsedRow:
    line: int
    values: dict[str, str]


@dataclass
class ParsedFile:
    columns: frozenset[str]
    rows: list[ParsedRow]
    delimiter: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def normalize_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding name. HR software writes UTF-8 or Windows-1252."""
    if content.startswith(b"PK\x03\x04") or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportRefused(
            [
                LineError(
                    None,
                    _(
                        "Ce fichier est un classeur Excel, pas un fichier CSV. Dans le tableur, "
                        "choisissez « Enregistrer sous » puis le format « CSV (séparateur : point-virgule) »."
                    ),
                )
            ]
        )
    # NUL never occurs in a text export; PostgreSQL would refuse it anyway.
    if b"\x00" in content:
        raise ImportRefused(
            [
                LineError(
                    None,
                    _(
                        "Ce fichier n'est pas un fichier texte CSV (contenu binaire ou encodage UTF-16). "
                        "Enregistrez-le au format CSV en UTF-8 ou en Windows-1252."
                    ),
                )
            ]
        )
    if content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return content.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            [
                LineError(
                    line,
                    _("caractère illisible : le fichier n'est ni en UTF-8 ni en Windows-1252."),
                )
            ]
        ) from exc


def _detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _empty_file() -> ImportRefused:
    return ImportRefused([LineError(None, _("Le fichier est vide."))])


def _first_filled_row(reader: Any) -> tuple[int, list[str]]:
    """The first row with a value, and its line number (the header)."""
    header_line = 0
    header: list[str] = []
    while not any(cell.strip() for cell in header):
        header_line = reader.line_num + 1
        try:
            header = next(reader)
        except StopIteration:
            raise _empty_file() from None
    return header_line, header


def _agent_rows(
    reader: Any, header: list[str], positions: dict[str, int], errors: list[LineError]
) -> list[ParsedRow]:
    """The rows after the header, blank ones skipped; a row with extra values is an error."""
    rows: list[ParsedRow] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(
                [
                    LineError(
                        line,
                        _("le fichier dépasse %(max)s lignes : découpez-le par structure.")
                        % {"max": MAX_ROWS},
                    )
                ]
            )
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errors.append(
                LineError(
                    line,
                    _(
                        "%(found)s valeurs pour %(expected)s colonnes : vérifiez le séparateur "
                        "et les guillemets."
                    )
                    % {"found": len(cells), "expected": len(header)},
                )
            )
            continue
        values = {
            name: " ".join(cells[pos].split()) if pos < len(cells) else ""
            for name, pos in positions.items()
        }
        rows.append(ParsedRow(line=line, values=values))


def parse_csv(content: bytes) -> ParsedFile:
    """Rows of the file keyed by canonical column; raises ImportRefused on file-level faults."""
    if not content.strip():
        raise _empty_file()
    text, encoding = decode(content)
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise _empty_file()
    delimiter = _detect_delimiter(lines[header_index])

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors: list[LineError] = []
    warnings: list[str] = []
    try:
        header_line, header = _first_filled_row(reader)
        positions, columns = _read_header(header, header_line, errors, warnings)
        if errors:
            raise ImportRefused(errors, warnings)
        rows = _agent_rows(reader, header, positions, errors)
    except csv.Error as exc:
        raise ImportRefused(
            [
                LineError(
                    reader.line_num or None,
                    _("ligne CSV illisible (%(detail)s).") % {"detail": exc},
                )
            ],
            warnings,
        ) from exc
    if errors:
        raise ImportRefused(errors, warnings)
    if not rows:
        raise ImportRefused(
            [LineError(None, _("Le fichier ne contient aucune ligne d'agent."))], warnings
        )
    return ParsedFile(
        columns=columns, rows=rows, delimiter=delimiter, encoding=encoding, warnings=warnings
    )


def _read_header(
    header: list[str], line: int, errors: list[LineError], warnings: list[str]
) -> tuple[dict[str, int], frozenset[str]]:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for pos, raw in enumerate(header):
        label = raw.strip().lstrip("\ufeff")
        if not label:
            continue
        name = _HEADER_TO_COLUMN.get(normalize_header(label))
        if name is None:
            unknown.append(label)
        elif name in positions:
            errors.append(
                LineError(line, _("la colonne « %(name)s » apparaît deux fois.") % {"name": label})
            )
        else:
            positions[name] = pos
    if unknown:
        warnings.append(
            _("Colonnes inconnues ignorées : %(names)s.")
            % {"names": ", ".join(f"« {name} »" for name in unknown)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        errors.append(
            LineError(
                line,
                _(
                    "colonne(s) obligatoire(s) absente(s) : %(names)s. Les colonnes obligatoires sont "
                    "structure, matricule, nom et prénom ; vérifiez aussi le séparateur (point-virgule)."
                )
                % {"names": ", ".join(missing)},
            )
        )
    return positions, frozenset(positions)


# --- Cell values --------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def parse_date(value: str) -> datetime.date | None:
    if not value:
        return None
    # Spreadsheets often append a midnight time to dates.
    text = value.split(" ")[0].split("T")[0]
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.date(*time.strptime(text, fmt)[:3])
        except ValueError:
            continue
        if 1900 <= parsed.year <= 2100:
            return parsed
    raise ValueError(
        _("date « %(value)s » invalide (attendu JJ/MM/AAAA ou AAAA-MM-JJ).") % {"value": value}
    )


def parse_category(value: str) -> str:
    letter = re.sub(r"^(categorie|cat)\b\.?", "", fold(value)).strip(" .")
    if letter in ("", "a", "b", "c"):
        return letter.upper()
    raise ValueError(_("catégorie « %(value)s » inconnue (A, B, C ou vide).") % {"value": value})


_STATUS_EXACT = {
    "titulaire": "titulaire",
    "tit": "titulaire",
    "fonctionnaire": "titulaire",
    "stagiaire": "stagiaire",
    "stag": "stagiaire",
    "contractuel": "contractuel",
    "contractuelle": "contractuel",
    "cdd": "contractuel",
    "cdi": "contractuel",
    "non titulaire": "contractuel",
    "saisonnier": "contractuel",
    "apprenti": "apprenti",
    "apprentie": "apprenti",
    "alternant": "apprenti",
    "alternante": "apprenti",
    "autre": "autre",
    "vacataire": "autre",
    "interimaire": "autre",
}


def parse_status(value: str) -> str | None:
    """The status code, or None for an empty cell (the status stays as it is)."""
    text = fold(value).replace("-", " ").replace("'", " ")
    if not text:
        return None
    if text in _STATUS_EXACT:
        return _STATUS_EXACT[text]
    # Longer labels from HR software, most specific first:
    # "fonctionnaire stagiaire", "contractuel de droit public", "contrat d'apprentissage"...
    rules = (
        (("apprenti", "apprentissage", "alternan"), "apprenti"),
        (("stagiaire",), "stagiaire"),
        (("non titulaire", "contractuel", "contrat", "cdd", "cdi"), "contractuel"),
        (("titulaire", "fonctionnaire"), "titulaire"),
    )
    for needles, status in rules:
        if any(needle in text for needle in needles):
            return status
    raise ValueError(
        _("statut « %(value)s » inconnu (titulaire, stagiaire, contractuel, apprenti ou autre).")
        % {"value": value}
    )


_GENDERS = {
    "": "",
    "f": "F",
    "femme": "F",
    "feminin": "F",
    "mme": "F",
    "madame": "F",
    "2": "F",
    "m": "M",
    "h": "M",
    "homme": "M",
    "masculin": "M",
    "m.": "M",
    "monsieur": "M",
    "1": "M",
}


def parse_gender(value: str) -> str:
    try:
        return _GENDERS[fold(value)]
    except KeyError:
        raise ValueError(
            _("sexe « %(value)s » non reconnu (F, M ou vide).") % {"value": value}
        ) from None


_BOOLEANS = {
    "": False,
    "non": False,
    "n": False,
    "no": False,
    "0": False,
    "faux": False,
    "false": False,
    "oui": True,
    "o": True,
    "yes": True,
    "y": True,
    "1": True,
    "vrai": True,
    "true": True,
    "x": True,
}


def parse_bool(value: str, column: str) -> bool:
    try:
        return _BOOLEANS[fold(value)]
    except KeyError:
        raise ValueError(
            _("valeur « %(value)s » non reconnue pour %(column)s (oui ou non).")
            % {"value": value, "column": column}
        ) from None


def parse_department_path(value: str) -> tuple[str, ...]:
    """ "Direction des services techniques > Voirie" -> ("Direction…", "Voirie")."""
    return tuple(part.strip() for part in value.split(">") if part.strip())

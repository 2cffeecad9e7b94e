"""The session's list of registrations as a CSV file that Excel opens as it is."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from campus.scheduling.models import TrainingSession

from .selectors import RosterRow, SessionRoster

# Excel only reads UTF-8 when the file starts with a byte order mark.
BOM = "\ufeff"


# A cell starting with one of these is run as a formula by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def roster_header() -> list[str]:
    return [
        _("nom"),
        _("prénom"),
        _("matricule"),
        _("structure"),
        _("service"),
        _("e-mail"),
        _("état"),
        _("position liste d'attente"),
        _("obligatoire"),
        _("inscrit par"),
        _("date"),
    ]


def _row(registration: RosterRow) -> list[str]:
    position = registration.position
    return [
        registration.last_name,
        registration.first_name,
        registration.matricule,
        registration.organisation_name,
        registration.department_name,
        registration.agent_email or _("à prévenir par un autre moyen"),
        registration.state_label,
        str(position) if position else "",
        _("oui") if registration.is_mandatory else _("non"),
        registration.created_by_name,
        registration.created_at_label,
    ]


def roster_csv(roster: SessionRoster) -> str:
    """Seats first, then the waitlist in its order, requests, and ended registrations."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(roster_header())
    for registration in [*roster.participants, *roster.waitlist, *roster.pending, *roster.ended]:
        writer.writerow([_cell(value) for value in _row(registration)])
    return buffer.getvalue()


def roster_filename(session: TrainingSession) -> str:
    day = timezone.localtime(session.starts_at).strftime("%Y-%m-%d") if session.starts_at else ""
    return f"inscriptions-session-{session.pk}{'-' + day if day else ''}.csv"

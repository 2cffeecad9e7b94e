"""Dates of a recurring programme (weekly or monthly), computed with dateutil's rrule.

Pure functions: no database, so the services and the forms share them and the
tests can try many rules cheaply.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil import rrule
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WEEKLY = "weekly"
MONTHLY = "monthly"
FREQUENCIES = (WEEKLY, MONTHLY)

# Monday = 0, as in datetime.date.weekday() and dateutil.
WEEKDAY_NAMES = (
    gettext_lazy("lundi"),
    gettext_lazy("mardi"),
    gettext_lazy("mercredi"),
    gettext_lazy("jeudi"),
    gettext_lazy("vendredi"),
    gettext_lazy("samedi"),
    gettext_lazy("dimanche"),
)
ORDINAL_NAMES = {
    1: gettext_lazy("premier"),
    2: gettext_lazy("deuxième"),
    3: gettext_lazy("troisième"),
    4: gettext_lazy("quatrième"),
    -1: gettext_lazy("dernier"),
}
# A school year is about forty weeks; this bound only stops a typo in a year
# from creating thousands of sessions.
MAX_OCCURRENCES = 120

_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


@dataclass(frozen=True)
class MonthlyRule:
    """Either "the <ordinal> <weekday> of the month" or "the <day> of the month"."""

    weekday: int | None = None
    ordinal: int | None = None
    day: int | None = None

    @classmethod
    def nth_weekday(cls, ordinal: int, weekday: int) -> MonthlyRule:
        return cls(weekday=weekday, ordinal=ordinal)

    @classmethod
    def day_of_month(cls, day: int) -> MonthlyRule:
        return cls(day=day)

    def validate(self) -> None:
        from campus.core.exceptions import DomainError

        if self.day is not None:
            if not 1 <= self.day <= 31:
                raise DomainError(
                    _("Le jour du mois doit être compris entre 1 et 31."),
                    code="series.invalid_month_day",
                )
            return
        if self.weekday is None or not 0 <= self.weekday <= 6:
            raise DomainError(
                _("Choisissez le jour de la semaine de la règle mensuelle."),
                code="series.monthly_weekday_missing",
            )
        if self.ordinal not in ORDINAL_NAMES:
            raise DomainError(
                _("Choisissez premier, deuxième, troisième, quatrième ou dernier."),
                code="series.monthly_ordinal_missing",
            )

    def label(self) -> str:
        if self.day is not None:
            return _("le %(day)s du mois") % {"day": self.day}
        assert self.weekday is not None
        assert self.ordinal is not None
        return _("le %(ordinal)s %(weekday)s du mois") % {
            "ordinal": ORDINAL_NAMES[self.ordinal],
            "weekday": WEEKDAY_NAMES[self.weekday],
        }


def occurrence_dates(
    *,
    frequency: str,
    start_date: datetime.date,
    end_date: datetime.date,
    weekday: int | None = None,
    monthly_rule: MonthlyRule | None = None,
    interval: int = 1,
    skip_dates: Iterable[datetime.date] = (),
) -> list[datetime.date]:
    """Every date of the rule between start_date and end_date (both included), minus skip_dates.

    Raises DomainError on a malformed rule; an empty list is returned as is (the
    caller decides that "no date" is an error, with its own wording).
    """
    from campus.core.exceptions import DomainError

    if frequency not in FREQUENCIES:
        raise DomainError(
            _("Choisissez une fréquence hebdomadaire ou mensuelle."),
            code="series.unknown_frequency",
        )
    if end_date < start_date:
        raise DomainError(
            _("La date de fin de la série précède sa date de début."),
            code="series.end_before_start",
        )
    if interval < 1:
        raise DomainError(
            _("L'intervalle de la série doit être d'au moins 1."), code="series.invalid_interval"
        )
    dtstart = datetime.datetime.combine(start_date, datetime.time())
    until = datetime.datetime.combine(end_date, datetime.time())
    if frequency == WEEKLY:
        day = start_date.weekday() if weekday is None else weekday
        if not 0 <= day <= 6:
            raise DomainError(_("Jour de la semaine inconnu."), code="series.unknown_weekday")
        rule = rrule.rrule(
            rrule.WEEKLY, dtstart=dtstart, until=until, interval=interval, byweekday=day
        )
    else:
        if monthly_rule is None:
            raise DomainError(
                _("Précisez la règle mensuelle (par exemple : premier jeudi)."),
                code="series.monthly_rule_missing",
            )
        monthly_rule.validate()
        if monthly_rule.day is not None:
            # Months without that day (the 31st in April) are skipped, as rrule does.
            rule = rrule.rrule(
                rrule.MONTHLY,
                dtstart=dtstart,
                until=until,
                interval=interval,
                bymonthday=monthly_rule.day,
            )
        else:
            assert monthly_rule.weekday is not None
            assert monthly_rule.ordinal is not None
            rule = rrule.rrule(
                rrule.MONTHLY,
                dtstart=dtstart,
                until=until,
                interval=interval,
                byweekday=_RRULE_WEEKDAYS[monthly_rule.weekday](monthly_rule.ordinal),
            )
    skipped = set(skip_dates)
    dates: list[datetime.date] = []
    for occurrence in rule:
        if occurrence.date() in skipped:
            continue
        dates.append(occurrence.date())
        if len(dates) > MAX_OCCURRENCES:
            raise DomainError(
                _("La série dépasse %(max)s dates : vérifiez les dates de début et de fin.")
                % {"max": MAX_OCCURRENCES},
                code="series.too_many_dates",
            )
    return dates


def parse_date_list(text: str) -> tuple[list[datetime.date], list[str]]:
    """Dates written dd/mm/yyyy, one per line or separated by commas or semicolons.

    Returns (dates, unreadable tokens) so the form can name what it could not read.
    """
    dates: list[datetime.date] = []
    bad: list[str] = []
    for token in text.replace(";", "\n").replace(",", "\n").split():
        token = token.strip()
        if not token:
            continue
        try:
            dates.append(datetime.date(*time.strptime(token, "%d/%m/%Y")[:3]))
        except ValueError:
            bad.append(token)
    return dates, bad

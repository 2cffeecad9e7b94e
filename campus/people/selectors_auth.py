"""Reads for the first-sign-in letters. Each costs a fixed number of queries."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from .models import Agent, Department, Organisation


def agents_awaiting_first_signin(
    *, organisation: Organisation | None = None, department: Department | None = None
) -> QuerySet[Agent]:
    """Active agents without e-mail who have never signed in: they need a printed letter.

    `last_letter_at` is when the latest code was printed for them, if ever, so the
    coordinator sees who already got one before printing again.
    """
    qs = (
        Agent.objects.filter(is_active=True, email="")
        .filter(Q(user__isnull=True) | Q(user__is_active=True, user__last_login__isnull=True))
        .select_related("organisation", "department")
        .annotate(last_letter_at=Max("user__first_signin_codes__created_at"))
        .order_by("organisation__name", "last_name", "first_name", "id")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if department is not None:
        qs = qs.filter(department=department)
    return qs

"""Domain errors: each carries a sentence for the person, never a stack trace."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the school refused the action. `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(PermissionDenied):
    """The person may not do this. Views turn it into a 403 page with the reason."""


class ServiceBusy(DomainError):
    """Too many people wanted the same lock at once; nothing was written, try again."""

    retry_after = 5

    def __init__(self) -> None:
        super().__init__(
            _(
                "Trop de personnes font la même chose en ce moment : "
                "réessayez dans quelques secondes."
            )
        )

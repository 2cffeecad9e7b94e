"""Domain errors: each carries a sentence for the person, never a stack trace."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A rule of the school refused the action. `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(PermissionDenied):
    """The person may not do this. Views turn it into a 403 page with the reason."""

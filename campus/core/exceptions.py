"""Domain errors: each carries a stable code and a sentence for the person, never a stack trace.

A `DomainError` says that a rule of the school refused the action. Its `code`
("<entity>.<reason>", such as "registration.already_registered") is stable: tests,
templates and clients match it, never the sentence, which translators may reword.
Views that can do better than the generic page (a form shown again, a flash message
after a one-click action) handle it with `campus.core.refusals`; any other reaches
`campus.core.middleware.DomainErrorMiddleware`, which shows the sentence on a 409
page; `ServiceBusy` (a lock not had in time) is not a refusal and always gets there,
as a 503.
"""

from __future__ import annotations

import re
from dataclasses import KW_ONLY, dataclass
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

# "<entity>.<reason>", snake_case words separated by dots: "session.already_cancelled".
CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


def _checked(code: str) -> str:
    if not CODE_PATTERN.fullmatch(code):
        raise ValueError(f"A domain error code reads '<entity>.<reason>', not {code!r}.")
    return code


class DomainError(Exception):
    """A rule of the school refused the action.

    `message` is the translated sentence shown as is; `code` names the refusal for
    programs (required, so that no refusal goes without one).
    """

    # True when the person may confirm and retry (a programming conflict): the form
    # then offers the override box.
    may_override: ClassVar[bool] = False

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = _checked(code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its state, not through the constructor: `code` is keyword-only and
        # subclasses take other arguments (a worker or a parallel test run pickles errors).
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(cls: type[DomainError], args: tuple[Any, ...], state: dict[str, Any]) -> DomainError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ServiceBusy(Exception):
    """Too many people asked for the same thing at once (a lock not obtained in time).

    Not a refusal of the request itself, so not a DomainError: a view that shows
    refusals on its own page or form must not catch it as one. It always reaches
    `DomainErrorMiddleware`, which answers 503 with `retry_after` seconds in the
    Retry-After header; nothing was written, and trying again soon may work.
    """

    code = "service.busy"

    def __init__(self, *, retry_after: int = 5) -> None:
        self.message = _(
            "Trop de personnes font la même chose en ce moment : réessayez dans quelques secondes."
        )
        super().__init__(self.message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_busy, (self.retry_after, self.message))


def _restore_busy(retry_after: int, message: str) -> ServiceBusy:
    busy = ServiceBusy(retry_after=retry_after)
    busy.message = message
    busy.args = (message,)
    return busy


@dataclass(frozen=True)
class Refusal:
    """A rule's "no" before anything is raised: the sentence and the code of a DomainError.

    Rule functions that a page asks in advance ("may this agent sign up?") return one,
    and the service raises `DomainError(refusal.message, code=refusal.code)`. It prints
    as its sentence, so a template shows `{{ refusal }}`.
    """

    message: str
    _kw_only: KW_ONLY
    code: str

    def __post_init__(self) -> None:
        _checked(self.code)

    def __str__(self) -> str:
        return self.message


class NotAllowed(PermissionDenied):
    """The person may not do this. Views turn it into a 403 page with the reason."""

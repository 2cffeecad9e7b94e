"""Sign-in by e-mail, or by organisation code and matricule, with one password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


def matricule_login(organisation_code: str, matricule: str) -> str:
    """The login string for agents who sign in with their organisation and matricule."""
    return f"{organisation_code.strip()}/{matricule.strip()}".lower()


def find_user_for_login(login: str) -> User | None:
    """The active account a typed login designates, or None."""
    login = (login or "").strip().lower()
    if not login:
        return None
    qs = User.objects.select_related("agent")
    user = qs.filter(login=login).first()
    if user is None and "@" in login:
        user = qs.filter(email__iexact=login).first()
    if user is None and "/" in login:
        code, _, matricule = login.partition("/")
        user = qs.filter(
            agent__organisation__code__iexact=code, agent__matricule__iexact=matricule
        ).first()
    return user


class LoginBackend(ModelBackend):
    """Accepts the account's login, its e-mail address, or "ORG/matricule"."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_user_for_login(username)
        if user is None:
            # Same cost as a real check, so response time does not reveal which logins exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if user.agent_id is not None and user.agent is not None and not user.agent.is_active:
                return None
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in account, read with its agent in one query.

        Every page shows the agent's name and most ask for `request.user.agent`
        (permission rules, the sign-up): joining it here saves a query per request.
        Not the organisation too: on PostgreSQL planning that three-table join cost
        more (~1 ms) than the few pages that need it pay to read it by its key.
        """
        try:
            user = User._default_manager.select_related("agent").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

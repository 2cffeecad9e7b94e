"""Placeholder: sign-in views (being written)."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

login_view = auth_views.LoginView.as_view(template_name="people/login.html")
logout_view = auth_views.LogoutView.as_view()


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("todo")


first_signin_view = password_reset_view = password_reset_done_view = _todo
password_reset_confirm_view = password_reset_complete_view = account_view = _todo
first_signin_letter_view = first_signin_letters_view = _todo

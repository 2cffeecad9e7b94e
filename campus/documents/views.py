"""Calendar pages: the private feed itself, and the page that creates and revokes links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import selectors, services
from .feeds import feed_document
from .forms import FeedTokenForm
from .models import FeedToken


@require_safe
def feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the secret in the address is the key. Unknown and revoked look the same."""
    feed_token = selectors.active_feed_token(token)
    if feed_token is None:
        raise Http404(_("Ce lien de calendrier n'existe pas ou a été révoqué."))
    response = HttpResponse(feed_document(feed_token), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="campus.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def feed_links_view(request: HttpRequest) -> HttpResponse:
    form = FeedTokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form offers only the calendars the person may subscribe to, and asks for the
        # room of a room's calendar: the service's refusals are left to forged requests.
        services.feed_token_create(
            actor=request.user,
            kind=form.cleaned_data["kind"],
            room=form.cleaned_data.get("room"),
        )
        messages.success(request, _("Lien créé : copiez-le dans votre application d'agenda."))
        return redirect("documents:feed_links")
    tokens = selectors.feed_tokens_of(request.user)
    links = [
        (token, request.build_absolute_uri(reverse("documents:feed", args=[token.token])))
        for token in tokens
    ]
    return render(request, "documents/feed_links.html", {"form": form, "links": links})


@login_required
@require_POST
def feed_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = FeedToken.objects.filter(pk=pk, owner_id=request.user.pk).first()
    if token is None:
        raise Http404(_("Ce lien de calendrier n'existe pas."))
    services.feed_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Lien révoqué : il ne donne plus accès au calendrier."))
    return redirect("documents:feed_links")

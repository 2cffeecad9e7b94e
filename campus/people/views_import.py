"""The HR import page: upload a CSV file, preview what it would change, then confirm.

Between the preview and the confirmation the file's bytes wait in the
person's server-side session, compressed, under the SHA-256 of the content.
The confirmation form carries only that hash. So the file is uploaded once,
agents' personal data are not echoed back into the page, and the file
applied is exactly the one previewed: a confirmation whose hash does not
match the pending file (another tab previewed another file, the session
expired) is refused and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campus.core.exceptions import NotAllowed

from . import policies
from .forms_import import ImportConfirmForm, ImportUploadForm
from .importing import ImportRefused, ImportResult, agents_import

SESSION_KEY = "people_import_pending"
# The preview lists at most this many agents per table; counts are always complete.
PREVIEW_ROWS = 200
SHOWN_ERRORS = 500
TEMPLATE = "people/import.html"


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_import_agents(request.user):
        raise NotAllowed(_("L'import des agents est réservé aux coordinateurs de l'école."))
    if request.method == "POST":
        action = request.POST.get("action", "preview")
        if action == "confirm":
            return _confirm(request)
        if action == "cancel":
            request.session.pop(SESSION_KEY, None)
            messages.info(request, _("Import annulé : rien n'a été modifié."))
            return redirect("people:import")
        return _preview(request)
    return render(request, TEMPLATE, {"form": ImportUploadForm()})


def _preview(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form})
    upload = form.cleaned_data["file"]
    content = upload.read()
    filename = str(upload.name or "")[:200]
    deactivate_missing = form.cleaned_data["deactivate_missing"]
    try:
        result = agents_import(
            actor=request.user,
            content=content,
            filename=filename,
            dry_run=True,
            deactivate_missing=deactivate_missing,
        )
    except ImportRefused as refused:
        request.session.pop(SESSION_KEY, None)
        return _refused(request, form, refused, filename)
    token = hashlib.sha256(content).hexdigest()
    request.session[SESSION_KEY] = {
        "token": token,
        "content": base64.b64encode(zlib.compress(content)).decode("ascii"),
        "filename": filename,
        "deactivate_missing": deactivate_missing,
    }
    return render(
        request,
        TEMPLATE,
        {
            "result": result,
            "confirm_form": ImportConfirmForm(initial={"token": token}),
            **_tables(result),
        },
    )


def _confirm(request: HttpRequest) -> HttpResponse:
    form = ImportConfirmForm(request.POST)
    pending = request.session.get(SESSION_KEY)
    if (
        not form.is_valid()
        or not isinstance(pending, dict)
        or not hmac.compare_digest(str(pending.get("token", "")), form.cleaned_data["token"])
    ):
        messages.error(
            request,
            _(
                "Cet aperçu n'est plus valable (session expirée, ou un autre fichier a été "
                "prévisualisé depuis). Rien n'a été modifié : déposez à nouveau le fichier."
            ),
        )
        return redirect("people:import")
    content = zlib.decompress(base64.b64decode(pending["content"]))
    filename = pending["filename"]
    try:
        result = agents_import(
            actor=request.user,
            content=content,
            filename=filename,
            deactivate_missing=pending["deactivate_missing"],
        )
    except ImportRefused as refused:
        # The data changed between the preview and the confirmation.
        request.session.pop(SESSION_KEY, None)
        return _refused(request, ImportUploadForm(), refused, filename)
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _(
            "Import de « %(file)s » enregistré : %(created)s agent(s) créé(s), %(updated)s "
            "modifié(s), %(deactivated)s désactivé(s), %(unchanged)s inchangé(s)."
        )
        % {"file": filename, **result.counts},
    )
    return redirect("people:import")


def _refused(
    request: HttpRequest, form: ImportUploadForm, refused: ImportRefused, filename: str
) -> HttpResponse:
    return render(
        request,
        TEMPLATE,
        {
            "form": form,
            "refused": refused,
            "errors": refused.errors[:SHOWN_ERRORS],
            "hidden_errors": max(0, len(refused.errors) - SHOWN_ERRORS),
            "filename": filename,
        },
    )


def _tables(result: ImportResult) -> dict[str, Any]:
    tables = {}
    for name in ("created", "updated", "deactivated"):
        lines = getattr(result, name)
        tables[f"{name}_shown"] = lines[:PREVIEW_ROWS]
        tables[f"{name}_hidden"] = max(0, len(lines) - PREVIEW_ROWS)
    return tables

"""The audit-log browser."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import policies, selectors
from .exceptions import NotAllowed
from .forms import AuditLogFilterForm
from .models import AuditEntry


@login_required
@require_safe
def audit_log_view(request: HttpRequest) -> HttpResponse:
    if not policies.can_view_audit_log(request.user):
        raise NotAllowed(_("Le journal est réservé à la direction de l'école."))
    actions, object_types = selectors.audit_filter_choices()
    form = AuditLogFilterForm(request.GET or None, actions=actions, object_types=object_types)
    valid = not form.is_bound or form.is_valid()
    entries = selectors.audit_entries(**form.filters()) if valid else AuditEntry.objects.none()
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": selectors.audit_rows(page.object_list),
            "query": query.urlencode(),
            "filtered": any(form.filters().values()) if valid else False,
        },
    )

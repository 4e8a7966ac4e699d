"""The admin Audit page: who changed a budget, a role or an activation, newest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from egis.audit.selectors import AUDIT_PAGE_SIZE, audit_entries, audit_entry_json
from egis.web.access import admin_required
from egis.web.inertia import page


@admin_required
@require_GET
def audit_index(request: HttpRequest) -> HttpResponse:
    entries = audit_entries(limit=AUDIT_PAGE_SIZE)
    return page(
        request,
        "audit/index",
        {"entries": [audit_entry_json(e) for e in entries], "limit": AUDIT_PAGE_SIZE},
    )

"""Admin pages: incidents and users. Every view answers 403 to a non-admin."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egis.accounts.models import Role, User
from egis.accounts.services import UserInputError, user_create, user_deactivate, user_set_role
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError, parse_reason
from egis.execution.reconciliations import (
    ACKNOWLEDGE,
    APPLY_VENUE_FILL,
    CLOSE_POSITION,
    VOID_ORDER,
    available_actions,
    reconciliation_resolve,
)
from egis.ledger.models import PendingReconciliation, ReconciliationStatus
from egis.web.access import admin_required
from egis.web.inertia import back_with_errors, current_user, field, form_data, page, see_other

# What each resolution does, in the words the confirm sheet shows.
_ACTION_WORDS = {
    APPLY_VENUE_FILL: (
        "Apply venue fill",
        "Looks the order up at the venue by client order id and books what it reports.",
    ),
    VOID_ORDER: (
        "Void order",
        "Marks the order as never filled and releases its hold (only if the venue agrees).",
    ),
    CLOSE_POSITION: (
        "Close position",
        "Closes the ledger position at the last known price without sending an order.",
    ),
    ACKNOWLEDGE: (
        "Acknowledge",
        "Records your reason and closes the incident; the ledger is not changed.",
    ),
}


def _actions(incident: PendingReconciliation) -> list[dict[str, str]]:
    return [
        {"value": a, "label": _ACTION_WORDS[a][0], "description": _ACTION_WORDS[a][1]}
        for a in available_actions(incident)
        if a in _ACTION_WORDS
    ]


def _incident_json(incident: PendingReconciliation) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "kind_label": incident.get_kind_display(),
        "bot": {"id": incident.bot.pk, "name": incident.bot.name} if incident.bot else None,
        "client_order_id": incident.client_order_id,
        "venue_order_id": incident.venue_order_id,
        "intent": incident.intent,
        "error": incident.error,
        "payload": json.dumps(incident.payload, indent=2, sort_keys=True)
        if incident.payload
        else "",
        "status": incident.status,
        "created_at": incident.created_at.isoformat(),
        "actions": _actions(incident),
    }


@admin_required
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    rows = (
        PendingReconciliation.objects.filter(status=ReconciliationStatus.OPEN)
        .select_related("bot")
        .order_by("-created_at", "-id")[:200]
    )
    return page(
        request,
        "incidents/index",
        {"incidents": [_incident_json(r) for r in rows]},
    )


@admin_required
@require_POST
def incident_resolve(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = PendingReconciliation.objects.filter(pk=incident_id).first()
    if incident is None:
        raise Http404("no such incident")
    data = form_data(request)
    key = f"incident_{incident.pk}"
    try:
        reason = parse_reason(field(data, "reason"))
    except InputError as exc:
        if not field(data, "reason").strip():
            return back_with_errors(request, "/incidents", {key: "A reason is required."})
        return back_with_errors(request, "/incidents", {key: f"{exc.message}."})
    try:
        reconciliation_resolve(
            reconciliation_id=incident.pk,
            action=field(data, "resolution"),
            reason=reason,
            actor=current_user(request),
        )
    except UserFacingError as exc:
        return back_with_errors(request, "/incidents", {key: str(exc)})
    messages.success(request, f"Incident #{incident.pk} resolved.")
    return see_other("/incidents")


@admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    return _users_page(request)


def _users_page(request: HttpRequest) -> HttpResponse:
    me = current_user(request)
    rows = User.objects.order_by("username").annotate(
        bot_count=Count("bots", filter=Q(bots__deleted_at__isnull=True))
    )
    return page(
        request,
        "users/index",
        {
            "users": [
                {
                    "id": u.pk,
                    "username": u.username,
                    "role": u.role,
                    "is_active": u.is_active,
                    "is_self": u.pk == me.pk,
                    "bots": u.bot_count,
                }
                for u in rows
            ]
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # a reload of the page that showed a new password
        return see_other("/users")
    data = form_data(request)
    try:
        user, password = user_create(
            username=field(data, "username"),
            role=field(data, "role") or Role.USER,
            password=field(data, "password") or None,
        )
    except UserInputError as exc:
        return back_with_errors(request, "/users", {"user": f"Not created: {exc}."})
    if field(data, "password"):
        messages.success(request, f"Created {user.username}.")
        return see_other("/users")
    # A generated password is shown in this one answer: a redirect would carry it in the
    # messages cookie (signed, not encrypted) or the session table.
    messages.success(request, f"Created {user.username}. Their password (shown once): {password}")
    return _users_page(request)


def _target(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("no such user")
    return user


@admin_required
@require_POST
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        user_set_role(
            user=target, role=field(form_data(request), "role"), actor=current_user(request)
        )
    except UserInputError as exc:
        messages.error(request, f"Not changed: {exc}.")
    else:
        messages.success(request, f"{target.username} is now {target.get_role_display()}.")
    return see_other("/users")


@admin_required
@require_POST
def user_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        user_deactivate(user=target, actor=current_user(request))
    except UserInputError as exc:
        messages.error(request, f"Not deactivated: {exc}.")
    else:
        messages.success(request, f"Deactivated {target.username}.")
    return see_other("/users")

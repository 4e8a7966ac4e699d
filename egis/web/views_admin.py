"""Admin pages: incidents and users. Every view answers 403 to a non-admin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egis.accounts import throttle
from egis.accounts.models import Role, User
from egis.accounts.selectors import user_find, users_with_bot_counts
from egis.accounts.services import (
    UserInputError,
    user_activate,
    user_create,
    user_deactivate,
    user_password_reset,
    user_set_role,
    user_unlock,
)
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError, parse_reason
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import (
    ACKNOWLEDGE,
    APPLY_VENUE_FILL,
    CLOSE_POSITION,
    VOID_ORDER,
    available_actions,
)
from egis.ledger.models import Incident, IncidentStatus
from egis.ledger.selectors import incident_counts, incident_find, incident_page
from egis.web.access import admin_required
from egis.web.incident_details import incident_offer, incident_sentences
from egis.web.inertia import (
    back_with_errors,
    current_user,
    field,
    form_data,
    page,
    page_number,
    refusal,
    see_other,
    sentence,
)
from egis.web.secrets import secret_prop

INCIDENTS_PER_PAGE = 20

# What each resolution does, in the words the confirm sheet shows.
_ACTION_WORDS = {
    APPLY_VENUE_FILL: (
        "Apply venue fill",
        "Looks the order up at the venue by client order id and books what it reports.",
    ),
    VOID_ORDER: (
        "Void order",
        "Marks the order as never filled and frees the budget reserved for it (only if the "
        "venue agrees).",
    ),
    CLOSE_POSITION: (
        "Close position",
        "Closes the ledger position at the price you enter, without sending an order.",
    ),
    ACKNOWLEDGE: (
        "Acknowledge",
        "Records your reason and closes the incident; the ledger is not changed. If it is the"
        " bot's last drift incident, the bot's halt on new opens is lifted.",
    ),
}

# The same actions once done, for a resolved incident ("Acknowledged by admin").
_RESOLVED_WORDS = {
    APPLY_VENUE_FILL: "Venue fill applied",
    VOID_ORDER: "Order voided",
    CLOSE_POSITION: "Position closed",
    ACKNOWLEDGE: "Acknowledged",
}


def _actions(incident: Incident) -> list[dict[str, str]]:
    return [
        {"value": a, "label": _ACTION_WORDS[a][0], "description": _ACTION_WORDS[a][1]}
        for a in available_actions(incident)
        if a in _ACTION_WORDS
    ]


def _incident_json(incident: Incident) -> dict[str, Any]:
    # Empty fields are left out (the page shows only what is known).
    is_open = incident.status == IncidentStatus.OPEN
    row: dict[str, Any] = {
        "id": incident.pk,
        "kind": incident.kind,
        "kind_label": incident.get_kind_display(),
        "bot": {"id": incident.bot.pk, "name": incident.bot.name} if incident.bot else None,
        "facts": [
            {"label": label, "value": value}
            for label, value in (
                ("Client order id", incident.client_order_id),
                ("Venue order id", incident.venue_order_id),
                ("Intent", incident.intent),
            )
            if value
        ],
        "details": incident_sentences(incident),
        "offer": incident_offer(incident),
        "status": incident.status,
        "created_at": incident.created_at.isoformat(),
        "actions": _actions(incident) if is_open else [],
        "resolution": None,
    }
    if not is_open:
        label = _RESOLVED_WORDS.get(incident.resolution, incident.resolution)
        row["resolution"] = {
            "label": label,
            "reason": incident.resolution_reason,
            "by": incident.resolved_by.username if incident.resolved_by else None,
            "at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        }
    return row


@admin_required
@require_GET
def incidents(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in IncidentStatus.values:
        status = IncidentStatus.OPEN
    counts = incident_counts()
    found = incident_page(
        status=status,
        page=page_number(request),
        page_size=INCIDENTS_PER_PAGE,
    )
    return page(
        request,
        "incidents/index",
        {
            "status": status,
            "counts": counts,
            "incidents": {
                "items": [_incident_json(r) for r in found.items],
                "page": found.page,
                "pages": found.pages,
                "total": found.total,
            },
        },
    )


@admin_required
@require_POST
def incident_resolve_view(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = incident_find(incident_id)
    if incident is None:
        raise Http404("no such incident")
    data = form_data(request)
    key = f"incident_{incident.pk}"
    try:
        reason_raw, action, price = (field(data, k) for k in ("reason", "resolution", "price"))
    except InputError as exc:  # not text
        return back_with_errors(request, "/incidents", {key: refusal(exc)})
    try:
        reason = parse_reason(reason_raw)
    except InputError as exc:
        if not reason_raw.strip():
            return back_with_errors(request, "/incidents", {key: "A reason is required."})
        return back_with_errors(request, "/incidents", {key: f"{exc.message}."})
    try:
        resolved = incident_resolve(
            incident_id=incident.pk,
            action=action,
            reason=reason,
            actor=current_user(request),
            # Close position books its exit at this price (what the admin read at the venue).
            price=price or None,
        )
    except UserFacingError as exc:
        return back_with_errors(request, "/incidents", {key: str(exc)})
    lifted = resolved.halts_lifted
    resumed = (
        f" Opens resume on bot{'s' if len(lifted) > 1 else ''} "
        + ", ".join(f"#{bot_id}" for bot_id in lifted)
        + "."
        if lifted
        else ""
    )
    messages.success(request, f"Incident #{incident.pk} resolved.{resumed}")
    return see_other("/incidents")


@admin_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    return _users_page(request)


def _users_page(request: HttpRequest, *, secret: dict[str, Any] | None = None) -> HttpResponse:
    me = current_user(request)
    rows = users_with_bot_counts()
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
                    "bots": bot_count,
                    "failed_logins": throttle.failures_anywhere(username=u.username),
                    "locked": throttle.maybe_locked(username=u.username),
                }
                for u, bot_count in rows
            ],
            # A generated password or token exists only in the one answer that shows it: a
            # redirect would carry it in the messages cookie (signed, not encrypted) or the
            # session table.
            "secret": secret,
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def user_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # a reload of the page that showed a new password
        return see_other("/users")
    data = form_data(request)
    try:
        # Left out (absent, null or ""), the role is a plain user and a password is generated;
        # a value that is not text is refused, never read as left out.
        username, role, given = (field(data, k) for k in ("username", "role", "password"))
        user, password = user_create(
            username=username, role=role or Role.USER, password=given or None
        )
    except (UserInputError, InputError) as exc:
        return back_with_errors(request, "/users", {"user": f"Not created: {exc}."})
    messages.success(request, f"Created {user.username}.")
    if given:
        return see_other("/users")
    secret = secret_prop(
        title=f"{user.username}'s password",
        description="Generated for them. Copy it now and hand it over safely: it is shown "
        "only once.",
        items=[("Password", password)],
    )
    return _users_page(request, secret=secret)


def _target(user_id: int) -> User:
    user = user_find(user_id)
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
    except (UserInputError, InputError) as exc:  # InputError: a role that is not text
        messages.error(request, sentence("Not changed", exc))
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


@admin_required
@require_POST
def user_activate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        user_activate(user=target, actor=current_user(request))
    except UserInputError as exc:
        messages.error(request, f"Not reactivated: {exc}.")
    else:
        messages.success(request, f"Reactivated {target.username}: they can log in again.")
    return see_other("/users")


@admin_required
@require_POST
def user_unlock_view(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _target(user_id)
    try:
        user_unlock(user=target, actor=current_user(request))
    except UserInputError as exc:
        messages.error(request, f"Not unlocked: {exc}.")
    else:
        messages.success(request, f"Unlocked {target.username}: they can log in from any address.")
    return see_other("/users")


@admin_required
@require_http_methods(["GET", "POST"])
def user_password_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    if request.method == "GET":  # a reload of the answer that showed the new password
        return see_other("/users")
    target = _target(user_id)
    try:
        reset = user_password_reset(user=target, actor=current_user(request))
    except UserInputError as exc:
        messages.error(request, f"Not reset: {exc}.")
        return see_other("/users")
    messages.success(request, f"Reset {target.username}'s password.")
    secret = secret_prop(
        title=f"New login for {target.username}",
        description="Copy both now and hand them over safely: they are shown only once. Their "
        "browser sessions have ended; their other API tokens still work.",
        items=[("Password", reset.password), ("API token", reset.raw_token)],
    )
    return _users_page(request, secret=secret)

"""Exchange accounts: create, list, present. The API secret is encrypted before it is stored and
only ever shown masked.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from egis.accounts.models import User
from egis.core.choices import Venue
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError, parse_name
from egis.venues.binance.environments import check_base_url
from egis.venues.models import Environment, ExchangeAccount
from egis.venues.secrets import encrypt_secret, masked_secret

API_KEY_RE = re.compile(r"^[A-Za-z0-9_\-]{8,128}$")


class AccountInputError(UserFacingError):
    pass


def account_create(
    *,
    owner: User,
    venue: str,
    environment: str = Environment.DEMO,
    api_key: str,
    api_secret: str,
    base_url: str = "",
    label: str = "",
    is_production: bool = False,
) -> ExchangeAccount:
    try:
        label = parse_name(label, field="label", required=False)
    except InputError as exc:
        raise AccountInputError(exc.message) from exc
    if venue != Venue.BINANCE_FUTURES:
        raise AccountInputError(
            "exchange accounts are for binance_futures (a paper bot is its own paper account)"
        )
    if environment not in Environment.values:
        raise AccountInputError(
            f"unknown environment {environment!r}: use demo, testnet or production"
        )
    api_key = (api_key or "").strip()
    api_secret = (api_secret or "").strip()
    if not API_KEY_RE.match(api_key):
        # Never echo the value: a mistyped secret pasted as a key must not land in a terminal log.
        raise AccountInputError("the API key must be 8-128 letters, digits, '-' or '_'")
    if (
        not api_secret
        or len(api_secret) > 256
        or any(c.isspace() for c in api_secret)
        or not api_secret.isprintable()  # NUL and control characters: never a real secret
    ):
        raise AccountInputError("the API secret must be 1-256 characters without spaces")
    production = environment == Environment.PRODUCTION
    if production != is_production:
        raise AccountInputError(
            "a production account must be created with --env production AND --production "
            "(both, so that real money is never traded by a typo)"
        )
    if production and not settings.EGIS_ALLOW_PRODUCTION:
        raise AccountInputError(
            "production trading is disabled on this installation (set EGIS_ALLOW_PRODUCTION=1)"
        )
    base_url = (base_url or "").strip().rstrip("/")
    if base_url:
        check_base_url(base_url, allow_production=production)
    return ExchangeAccount.objects.create(
        owner=owner,
        label=label,
        venue=venue,
        environment=environment,
        base_url=base_url,
        api_key=api_key,
        api_secret_encrypted=encrypt_secret(api_secret),
        is_production=is_production,
    )


def accounts_visible_to(user: User | None) -> QuerySet[ExchangeAccount]:
    qs = ExchangeAccount.objects.select_related("owner").order_by("id")
    if user is not None and not getattr(user, "is_admin", False):
        qs = qs.filter(owner=user)
    return qs


def account_json(account: ExchangeAccount) -> dict[str, Any]:
    from egis.venues.binance.environments import base_url_for

    return {
        "id": account.pk,
        "owner": account.owner.username,
        "label": account.label,
        "venue": account.venue,
        "environment": account.environment,
        "base_url": base_url_for(account),
        "base_url_overridden": bool(account.base_url),
        "api_key": _mask_key(account.api_key),
        "api_secret": masked_secret(account.api_secret_encrypted),
        "is_production": account.is_production,
        "created_at": account.created_at.isoformat() if account.created_at else None,
    }


def _mask_key(api_key: str) -> str:
    # The key is not the secret, but it identifies the account at Binance: show its ends only.
    return f"{api_key[:4]}…{api_key[-4:]}" if len(api_key) > 12 else "…"

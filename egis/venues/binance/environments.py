"""Where an account's requests go, and the gate that keeps real money out of reach by default."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from egis.venues.base import VenueConfigError
from egis.venues.models import Environment, ExchangeAccount

BASE_URLS = {
    Environment.DEMO: "https://demo-fapi.binance.com",
    Environment.TESTNET: "https://testnet.binancefuture.com",
    Environment.PRODUCTION: "https://fapi.binance.com",
}
PRODUCTION_HOSTS = frozenset({"fapi.binance.com"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Binance refuses a larger recvWindow; egis/settings.py refuses it at start-up.
MAX_RECV_WINDOW_MS = 60000
_HOSTNAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def setting(name: str) -> Any:
    # egis/settings.py defines every EGIS_BINANCE_* value and its default, once.
    return getattr(settings, name)


def normalised_host(url: str) -> str:
    """The host a URL reaches, in one spelling: lower case, no user info, port or trailing dot,
    IDN mapped to ASCII. An HTTP client and DNS treat `FAPI.BINANCE.COM`, `fapi.binance.com.`,
    `user@fapi.binance.com:443` and `fapi。binance。com` (ideographic full stops, which the IDNA
    mapping turns into dots) as Binance production: so must every check. A host that has no such
    spelling (an invalid A-label, a percent sign) is refused rather than guessed.
    """
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError as exc:
        raise VenueConfigError(f"base URL is not a valid URL: {url[:80]!r}") from exc
    try:
        # encode: nameprep (NFKC, case fold) + punycode; decode checks the A-labels round-trip.
        host = host.encode("idna").decode("idna").encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise VenueConfigError(f"base URL has an invalid host name: {url[:80]!r}") from exc
    host = host.lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not _HOSTNAME_RE.match(host):
        raise VenueConfigError(f"base URL has an invalid host name: {url[:80]!r}")
    return host


def check_base_url(url: str, *, allow_production: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise VenueConfigError(f"base URL must be http(s)://host[:port], got {url[:80]!r}")
    if parts.username is not None or parts.password is not None:
        raise VenueConfigError("the base URL is scheme://host[:port] only, without user info")
    host = normalised_host(url)
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        # The API key travels in a header: plain HTTP only to a simulator on this machine.
        raise VenueConfigError("a plain-http base URL is only allowed for 127.0.0.1/localhost")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise VenueConfigError("the base URL is scheme://host[:port] only, without a path")
    if host in PRODUCTION_HOSTS and not allow_production:
        raise VenueConfigError(
            "this base URL is Binance production: only a production account may use it"
        )


def base_url_for(account: ExchangeAccount) -> str:
    return (account.base_url or BASE_URLS[Environment(account.environment)]).rstrip("/")


def production_allowed(account: ExchangeAccount) -> bool:
    return bool(settings.EGIS_ALLOW_PRODUCTION) and account.is_production


def resolve_base_url(account: ExchangeAccount) -> str:
    """The URL to trade against, or a VenueConfigError if the account may not trade there."""
    url = base_url_for(account)
    production = account.environment == Environment.PRODUCTION
    host = normalised_host(url)
    if (production or host in PRODUCTION_HOSTS) and not production_allowed(account):
        raise VenueConfigError(
            f"Exchange account #{account.pk} points at Binance production, which is refused: "
            "it needs EGIS_ALLOW_PRODUCTION=1 on this installation and an account marked "
            "production (egis account create --env production --production)."
        )
    check_base_url(url, allow_production=production_allowed(account))
    return url


def venue_key_for(account: ExchangeAccount) -> str:
    """Key of the account's cached symbol filters: per environment, or per overridden host."""
    if not account.base_url:
        return f"binance_futures:{account.environment}"
    return f"binance_futures:{urlsplit(account.base_url).netloc}"[:64]

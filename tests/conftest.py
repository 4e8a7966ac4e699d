"""Suite-wide guards (SQLite only, loopback only) and the shared personas and fixtures."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from decimal import Decimal

import pytest


def _refuse_non_sqlite() -> None:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    url = os.environ.get("DATABASE_URL", "")
    if engine != settings.SQLITE_ENGINE or (url and not url.startswith("sqlite")):
        pytest.exit(
            f"the test suite runs on SQLite only; refusing engine {engine!r} "
            f"(DATABASE_URL={url.split('@')[-1]!r})",
            returncode=4,
        )


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


class NetworkBlocked(OSError):
    pass


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _guard(address: object) -> None:
    if isinstance(address, tuple) and address and not _is_loopback(address[0]):
        raise NetworkBlocked(f"tests may only reach loopback; refused {address!r}")


def _connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _guard(address)
    return _real_connect(self, address)  # type: ignore[arg-type]


def _connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _guard(address)
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host is not None and not _is_loopback(host if isinstance(host, str) else host.decode()):  # type: ignore[attr-defined]
        raise NetworkBlocked(f"tests may only resolve loopback; refused {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    _refuse_non_sqlite()
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]


# --- personas and shared fixtures ------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    """Every test starts with no throttle counts (logins, webhook failures): they are kept in
    the data folder's counter file (egis.core.window_counter), which `cache.clear()` leaves."""
    from egis.core.window_counter import window_reset_all

    window_reset_all()


@pytest.fixture
def alice(django_user_model):  # the admin
    return django_user_model.objects.create_user(
        username="alice", password="pw-alice-123", role="admin"
    )


@pytest.fixture
def bob(django_user_model):  # a user with bots
    return django_user_model.objects.create_user(
        username="bob", password="pw-bob-12345", role="user"
    )


@pytest.fixture
def charlie(django_user_model):  # another user, no access to Bob's things
    return django_user_model.objects.create_user(
        username="charlie", password="pw-charlie-1", role="user"
    )


@pytest.fixture
def paper_filters(db):
    """The seeded paper symbol rules (transactional tests flush what the migration seeded)."""
    from egis.venues.symbol_filters_seed import seed_paper_filters

    seed_paper_filters()


@pytest.fixture
def set_price(paper_filters):
    from egis.venues.prices.sources import price_set

    def _set(symbol: str, price: str) -> None:
        price_set(symbol=symbol, price=Decimal(price), source="fixed")

    return _set


@pytest.fixture
def paper_bot(bob, set_price):
    """Bob's paper bot on ETHUSDT, $100 budget, ETH at 2934.56, min notional lowered to $5."""
    from egis.bots.services import bot_create
    from egis.venues.models import SymbolFilter

    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("5")
    )
    set_price("ETHUSDT", "2934.56")
    return bot_create(
        owner=bob, name="Bob ETH", venue="paper", symbol="ETHUSDT", budget_usd="100.00"
    )


@pytest.fixture
def journal_path(tmp_path, settings) -> Iterator[object]:
    path = tmp_path / "journal.jsonl"
    settings.EGIS_JOURNAL_PATH = path
    yield path


@pytest.fixture
def db_refuses() -> Iterator[object]:
    """Install SQLite triggers that abort a write (a simulated disk/database failure at one exact
    statement); dropped afterwards, since flushes keep triggers."""
    from django.db import connection

    names: list[str] = []

    def _install(name: str, event: str, when: str = "1") -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TRIGGER {name} {event} FOR EACH ROW WHEN {when} "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error (simulated)'); END"
            )
        names.append(name)

    yield _install
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")

"""Login throttling that nobody can turn into a lock-out of someone else.

Failures are counted (egis.core.window_counter: atomically, on one host or across hosts through
Redis) in a window of `EGIS_LOGIN_LOCKOUT_SECONDS` that starts with the first failure of each
count. Each password check is counted *before* it runs (`attempt_begin`) and judged on the
count it got; a right password gives its count back. Checking the counts, then the password,
then counting let parallel guesses all pass the check before any was counted (ten against a
limit of five). Three counts, each with its own job:

1. **Account + address** (`EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT`, 5): the lock a person meets.
   After 5 wrong passwords for `bob` from one address, `bob` cannot log in *from that address*
   until the window ends. From any other address `bob` logs in as usual, so an attacker who
   knows the name `bob` locks out only themselves. The login page shows how many attempts are
   left on this count.
2. **Address** (`EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS`, 20): one address guessing across many
   accounts (password spraying) is stopped for every account.
3. **Account, from anywhere** (`EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE`, 100): a cap that
   only a distributed guess reaches (20+ addresses, 5 guesses each). It does not lock the
   account: it narrows it. Past the cap, only addresses that have logged in to this account
   before (remembered for `EGIS_LOGIN_KNOWN_ADDRESS_SECONDS`, 30 days) may still try, each with
   its own count 1; new addresses are refused. The real user, at home or at the office, keeps
   logging in during the attack; the botnet's guesses stop. A real user on a new network during
   such an attack asks an admin, who can unlock.

An admin **unlock** (Users page, `egis user unlock NAME`) starts the account's counts afresh
from every address: the account + address counts are keyed by a per-account generation that the
unlock moves on, so counts from every address are dropped without listing them. The address
count (2) is not the account's and stays.

A successful login clears its own account + address count (never the address count: a spraying
address that also knows one password must not reset its budget for the others) and remembers the
address as known for the account. User names are normalised (Unicode NFKC, case-folded, every
kind of whitespace trimmed), so `BOB `, `bob` and `Bob\u00a0` share their counts. Keys are
hashed so user names and addresses never appear in the counter file or a cache file name.
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from egis.core.window_counter import (
    window_bump,
    window_clear,
    window_count,
    window_give_back,
)


def normalise(username: str) -> str:
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _digest(*parts: str) -> str:
    joined = "\x1f".join(parts)  # a separator no user name or address contains
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def client_address(request_meta: dict[str, object]) -> str:
    """The address a request came from, for the throttles. Behind the TLS proxy
    (EGIS_BEHIND_TLS_PROXY: its X-Forwarded-Proto is trusted already) REMOTE_ADDR is the proxy's
    for every request, so one address's lock would lock everyone out: the client is then the
    last address in X-Forwarded-For, the one the proxy itself wrote (Caddy since 2.5 replaces an
    X-Forwarded-For sent by a client it does not trust, so a client cannot choose it). Without
    the proxy, REMOTE_ADDR only: an X-Forwarded-For from a client is whatever it wants."""
    remote = str(request_meta.get("REMOTE_ADDR") or "unknown")
    if not settings.EGIS_BEHIND_TLS_PROXY:
        return remote
    last = str(request_meta.get("HTTP_X_FORWARDED_FOR") or "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return remote


def _generation(account: str) -> str:
    return str(window_count(f"egis:login:gen:{_digest(account)}"))


def _pair_key(account: str, address: str) -> str:
    return f"egis:login:pair:{_digest(account, _generation(account), address)}"


def _address_key(address: str) -> str:
    return f"egis:login:address:{_digest(address)}"


def _anywhere_key(account: str) -> str:
    return f"egis:login:account:{_digest(account, _generation(account))}"


def _known_key(account: str, address: str) -> str:
    return f"egis:login:known:{_digest(account, address)}"


@dataclass(frozen=True)
class LoginState:
    """What the login page may say about one account + address before checking a password."""

    locked: bool
    attempts_left: int  # before this account is locked from this address
    reason: str = ""  # why it is locked, in words


def _count(key: str) -> int:
    return window_count(key)


def _minutes() -> int:
    return max(1, settings.EGIS_LOGIN_LOCKOUT_SECONDS // 60)


def _too_many() -> LoginState:
    return LoginState(
        locked=True,
        attempts_left=0,
        reason=f"Too many failed attempts from this address. Wait up to {_minutes()} minutes "
        "and try again, or ask an admin to unlock your account.",
    )


def _under_attack() -> LoginState:
    return LoginState(
        locked=True,
        attempts_left=0,
        reason="This account is under a password-guessing attack: only addresses it logged "
        f"in from before may try for up to {_minutes()} minutes. Ask an admin to unlock it.",
    )


def _left(pair: int, by_address: int) -> int:
    return min(
        settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT - pair,
        settings.EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS - by_address,
    )


def state(*, username: str, address: str) -> LoginState:
    """The counts as they are now (attempts in progress included): no count changes."""
    account = normalise(username)
    left = _left(_count(_pair_key(account, address)), _count(_address_key(address)))
    if left <= 0:
        return _too_many()
    anywhere = _count(_anywhere_key(account))
    if anywhere >= settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE and not cache.get(
        _known_key(account, address)
    ):
        return _under_attack()
    return LoginState(locked=False, attempts_left=left)


def _bump(key: str) -> int:
    return window_bump(key, settings.EGIS_LOGIN_LOCKOUT_SECONDS)


@dataclass(frozen=True)
class Attempt:
    """One password check, counted as a failure before it runs (`attempt_begin`): a wrong
    password leaves the count, a right one gives it back. `state.locked`: refused, not counted."""

    username: str
    address: str
    keys: tuple[str, str, str]  # account + address, address, account from anywhere
    state: LoginState


def attempt_begin(*, username: str, address: str) -> Attempt:
    """Count a password check before it runs, or refuse it.

    The three counts are bumped first, each atomically (egis.core.window_counter), and the limits
    judged on the counts this attempt got: parallel guesses each take a count of their own, so
    no more of them reach the password hasher than the limits allow. (Checking the counts,
    then the password, then counting let ten parallel guesses all through a limit of 5.) A
    refused attempt gives its counts back at once: it checked no password."""
    account = normalise(username)
    keys = (_pair_key(account, address), _address_key(address), _anywhere_key(account))
    pair, by_address, anywhere = (_bump(key) for key in keys)
    left = _left(pair, by_address)
    verdict = LoginState(locked=False, attempts_left=left)
    if left < 0:
        verdict = _too_many()
    elif anywhere > settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT_ANYWHERE and not cache.get(
        _known_key(account, address)
    ):
        verdict = _under_attack()
    attempt = Attempt(username=username, address=address, keys=keys, state=verdict)
    if verdict.locked:
        attempt_give_back(attempt)
    return attempt


def attempt_give_back(attempt: Attempt) -> None:
    """The attempt was not a wrong password (refused before any check, or right): its counts
    are taken back."""
    for key in attempt.keys:
        window_give_back(key)


def attempt_failed(attempt: Attempt) -> LoginState:
    """A wrong password: its counts stay. Returns the state after it (for "N attempts left")."""
    return state(username=attempt.username, address=attempt.address)


def attempt_succeeded(attempt: Attempt) -> None:
    """A right password at login: the counts go back, the account + address count is cleared
    (never the address count: a spraying address that also knows one password must not reset
    its budget for the others), and the address is remembered as known for the account."""
    pair_key, address_key, anywhere_key = attempt.keys
    window_clear(pair_key)
    window_give_back(address_key)
    window_give_back(anywhere_key)
    account = normalise(attempt.username)
    cache.set(_known_key(account, attempt.address), 1, settings.EGIS_LOGIN_KNOWN_ADDRESS_SECONDS)


def record_failure(*, username: str, address: str) -> LoginState:
    """Count one wrong password checked without `attempt_begin` (the CLI, tests); returns the
    state after it."""
    account = normalise(username)
    for key in (_pair_key(account, address), _address_key(address), _anywhere_key(account)):
        _bump(key)
    return state(username=username, address=address)


def failures_anywhere(*, username: str) -> int:
    """Failed logins of this account in the current window, from every address (admin view)."""
    return _count(_anywhere_key(normalise(username)))


def maybe_locked(*, username: str) -> bool:
    """Whether an admin's unlock would lift anything: some address may have reached this
    account's limit (its failures from every address reach the per-address limit, or the
    narrowing cap above it). Below that no address of this account is locked, and an unlock
    would change nothing (the address count (2) is not the account's)."""
    return failures_anywhere(username=username) >= settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT


def unlock(*, username: str) -> None:
    """Drop every count of this account, from every address (not the addresses' own counts)."""
    account = normalise(username)
    key = f"egis:login:gen:{_digest(account)}"
    # No timeout: the generation must outlive every count keyed by the previous one.
    window_bump(key, None)

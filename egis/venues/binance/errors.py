"""Binance error codes as data: which ones leave an order's fate unknown, and what a person should
read for the ones that are plain refusals (codes and wording from Binance's USDⓈ-M error list).
"""

from __future__ import annotations

# After a POST these mean "may or may not have executed": never retried, settled by lookup only.
UNKNOWN_OUTCOME_CODES = frozenset({-1000, -1001, -1006, -1007})
# HTTP 408: "a timeout has occurred while waiting for a response from the backend server" (Binance
# USDⓈ-M General Info, HTTP return codes). The request reached Binance; its fate is unknown.
HTTP_BACKEND_TIMEOUT = 408


def outcome_unknown(http_status: int, code: int | None) -> bool:
    """Whether an answer leaves the request's execution unknown, whatever its body says: 408,
    any 5xx (503 included), or one of the unknown-outcome codes under any status."""
    return (
        http_status == HTTP_BACKEND_TIMEOUT or http_status >= 500 or code in UNKNOWN_OUTCOME_CODES
    )


CLOCK_SKEW = -1021
NO_SUCH_ORDER = -2013
# A cancel of an order (or algo order) Binance does not hold as open: "Unknown order sent."
# (-2011) or "Order does not exist." (-2013). It may have triggered or finished: look it up.
CANCEL_REJECTED = -2011
CANCEL_NOT_FOUND = frozenset({CANCEL_REJECTED, NO_SUCH_ORDER})
# Since 2025-12-09 the plain order endpoints refuse conditional types ("Order type not supported
# for this endpoint. Please use the Algo Order API endpoints instead."): exits go to
# /fapi/v1/algoOrder, and this code reaching us would be a bug of ours.
STOP_ORDER_SWITCH_ALGO = -4120

REFUSAL_HINTS: dict[int, str] = {
    -1003: "rate limit reached: wait a minute and try again",
    -1021: "the local clock is off from Binance's; it has been re-synced, try again",
    -1022: "the signature is invalid: check the account's API secret",
    -1102: "a mandatory parameter was missing or malformed",
    -1111: "the quantity has more decimals than the symbol allows (precision)",
    -1121: "Binance does not list this symbol",
    -2014: "the API key format is invalid: check the account's API key",
    -2015: "the API key is invalid, not allowed from this IP, or lacks futures trading permission",
    -2019: "margin is insufficient on the Binance account for this order",
    -2022: "reduce-only order refused: Binance has no position to reduce (ledger and venue drift)",
    -4003: "the quantity must be greater than zero",
    -4004: "the quantity is below the symbol's minimum quantity",
    -4005: "the quantity is above the symbol's maximum quantity",
    -4015: "the client order id is invalid",
    -4023: "the quantity is not a multiple of the symbol's step size",
    -4028: "the leverage is not valid for this symbol",
    -4061: (
        "the account is set to Hedge Mode in Binance; Egis needs One-way Mode (Binance "
        "Futures: Preferences > Position Mode > One-way)"
    ),
    -4116: "the client order id was already used",
    -4120: "conditional orders must use the Algo Order API (an Egis bug: please report it)",
    -2021: "the exit would trigger immediately: the price is already past it",
    -4164: "the order is below the symbol's minimum notional",
}


def describe(code: int | None, msg: str) -> str:
    """One line for a person: what Binance said, and what it means for them."""
    said = (msg or "no message").strip().rstrip(".")
    hint = REFUSAL_HINTS.get(code) if code is not None else None
    return f"Binance: {said} ({hint})" if hint else f"Binance: {said}"

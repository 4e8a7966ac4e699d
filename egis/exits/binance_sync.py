"""Binance side of exits (owned by the exits-binance engineer): algo orders on the venue.

The venue-neutral code (egis.exits.services, egis.exits.hooks) calls exactly these two
functions, always outside any database transaction, for exits whose venue is not paper:

- `exits_place(exit_ids)`: the rows are committed `placing` with their `client_algo_id`; place
  each on the venue (POST /fapi/v1/algoOrder, reduceOnly with `quantity`) and move it to
  `resting` (with `venue_algo_id`) or `failed` (with `error`). An unknown outcome leaves it
  `placing` for recovery by clientAlgoId. Must not raise for a venue refusal: the row says it.
- `exits_cancel(exit_ids, why=...)`: cancel each live (`placing`/`resting`) exit on the venue and
  mark it `cancelled`. When a cancel's outcome is unknown, record an incident and raise
  `egis.exits.errors.ExitCancelUnknown` (this blocks the close or the edit that asked).

Everything else Binance-specific (polling fired algo orders and booking their fills as closes
with the reason, sibling cancels, drift, recovery of `placing` rows, re-placing resized exits
after a partial close, cancelling live exits of a position that closed) lives here or in
modules this one owns.
"""

from __future__ import annotations

from egis.ledger.errors import VenueNotReady


def exits_place(exit_ids: list[int]) -> None:
    raise VenueNotReady("Exits on Binance are not available yet: nothing was placed.")


def exits_cancel(exit_ids: list[int], *, why: str) -> None:
    raise VenueNotReady("Exits on Binance are not available yet: nothing was cancelled.")

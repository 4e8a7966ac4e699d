"""Refusals of exit operations (nothing was sent when one is raised)."""

from __future__ import annotations

from egis.ledger.errors import OrderRefused, PositionBusy


class ExitNotResting(PositionBusy):
    """The exit that was to fire is no longer resting (a manual close or another trigger won
    the race): the position closes once."""

    code = "exit_not_resting"


class ExitCancelUnknown(OrderRefused):
    """Raised by the Binance side (egis.exits.binance_sync) when cancelling a position's exits
    before a close got no definite answer. It blocks the close: a reduce-only stop left resting
    could fire on another bot's share of the netted position. Name the incident in `details`."""

    code = "exit_cancel_unknown"
    http_status = 503


class ExitSetDuringClose(PositionBusy):
    """A close's preflight found an exit live on the venue that was set after the close
    cancelled the position's exits (egis.exits.hooks): nothing was sent; closing again cancels
    it first."""

    code = "exit_set_during_close"

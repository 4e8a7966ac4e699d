"""Exits (issue 12): take-profit, stop-loss and trailing stop, each a close of exactly one position.

Layout: `models.py` (the `Exit` row and the contract, read it first), `rules.py` (input grammar
and trigger arithmetic, pure), `services.py` (exits_set / exits_clear / attaching an open's
exits), `hooks.py` (where the order pipeline and settle call in), `events.py` (audit lines; the
"exit triggered" booking, where notifications hook in), `paper_engine.py` (the worker's trigger
engine for paper exits).

For the Binance side (exits-binance): the venue-neutral code reaches Binance through one seam,
`egis/exits/binance_sync.py`, and only for exits whose `venue` is not paper. `exits_set` writes
the rows `placing` (client_algo_id generated, committed) and then calls
`binance_sync.exits_place(ids)` outside any transaction; when a kind is replaced it first calls
`binance_sync.exits_cancel(old_ids, why=...)`, and refuses the change if an old row is still live
afterwards. The pipeline calls `egis.exits.hooks.exits_before_close(bot, position_id)` before
every close Egis makes itself (button, API, CLI, signal), outside any transaction: for Binance
it calls `binance_sync.exits_cancel(live_ids, why=...)`, which must raise
`egis.exits.errors.ExitCancelUnknown` when a cancel's outcome is unknown: the close is then not
sent. A fill that closes a position copies the close order's `close_reason` to the position
(`exits_after_close_fill`, inside settle); book a fired algo order's fill as an `Order` with
`intent=close`, `close_reason` = the exit's kind, then settle it (egis.ledger.settle), and mark
the exit `triggered` with `closing_order` (call `egis.exits.events.exit_triggered_booked`, the
one place a fired exit is booked). Paper exits never reach binance_sync.
"""

"""Per-bot closed totals: what the Bots list and the portfolio header read instead of summing a
bot's whole history on every render.

One row per bot, changed in the very transaction that changes a position's contribution (a
close is settled, a closed position's fee is completed, a position is closed by a
reconciliation action, a closed position is archived; egis.portfolio.totals), backfilled by the
migration that created the table, and checked against the SUM over `positions` by the drift job
(egis.portfolio.totals_check): a difference is an incident, never silently fixed.
"""

from __future__ import annotations

from django.db import models

from egis.core.fields import FixedDecimalField


class BotClosedTotals(models.Model):
    # The bot is the key: one row per bot. No cascade: a bot row is never deleted (soft delete).
    bot = models.OneToOneField(
        "bots.Bot", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    # Over egis.ledger.pnl.REALIZED_ROWS (closed, not archived), each as the SUM would give it.
    closed_count = models.BigIntegerField(default=0)
    wins = models.BigIntegerField(default=0)  # closed with a net (realized - fees) above zero
    realized_pnl_usd = FixedDecimalField(default=0)  # gross price PnL
    fees_usd = FixedDecimalField(default=0)  # entry and exit fees of the closed positions
    # The sum of the rows' shown nets in whole cents (egis.ledger.pnl.shown_net): the figure the
    # pages show, so the closed rows on a screen add up to it.
    shown_net_cents = models.BigIntegerField(default=0)
    # The sum of the rows' shown fees in whole cents (egis.ledger.pnl.shown_fee_cents), for the
    # same reason: the fees on the closed rows add up to the fees shown above them.
    shown_fee_cents = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "bot_closed_totals"

    def __str__(self) -> str:
        return f"closed totals of bot #{self.bot_id}"

"""Realized PnL of a bot, defined ONCE, here in the ledger so that the pipeline's risk checks
(egis.ledger.risk) and the pages (egis.bots.selectors) read the same rows.

The sum over its CLOSED positions of realized_pnl_usd - fees_usd, where a closed position's fees
are its entry and exit fees. Open positions count once they close (their entry fees are shown
apart, in the hint). Archived positions are left out of every figure: an admin archives a row to
take it out of the bot's record (e.g. a phantom), it is hidden from the closed list, so it is
out of the sum that the list adds up to; the row and its audit trail stay.
"""

from __future__ import annotations

from django.db.models import Q

from egis.ledger.models import PositionStatus

REALIZED_ROWS = Q(status=PositionStatus.CLOSED, archived_at__isnull=True)
REALIZED_PNL_DEFINITION = (
    "Realized PnL: the sum over closed positions of their realized PnL minus all their fees "
    "(entry and exit). Open positions count once closed; archived positions are left out."
)

"""Realized PnL of a bot, defined ONCE, here in the ledger so that the pipeline's risk checks
(egis.ledger.risk) and the pages (egis.bots.selectors) read the same rows.

The sum over its CLOSED positions of realized_pnl_usd - fees_usd, where a closed position's fees
are its entry and exit fees. Open positions count once they close (their entry fees are shown
apart, in the hint). Archived positions are left out of every figure: an admin archives a row to
take it out of the bot's record (e.g. a phantom), it is hidden from the closed list, so it is
out of the sum that the list adds up to; the row and its audit trail stay.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from egis.core.money import CENT
from egis.ledger.models import PositionStatus

REALIZED_ROWS = Q(status=PositionStatus.CLOSED, archived_at__isnull=True)
REALIZED_PNL_DEFINITION = (
    "Realized PnL: the sum over closed positions of their realized PnL minus all their fees "
    "(entry and exit). Open positions count once closed; archived positions are left out."
)


# How realized PnL is SHOWN, defined once: each closed position's net (realized_pnl_usd -
# fees_usd) in whole cents, rounded half away from zero; every total shown (a bot, the portfolio)
# is the sum of its rows' shown cents, so the rows on a screen add up to the total next to them.
def shown_net(net_usd: Decimal) -> Decimal:
    shown = net_usd.quantize(CENT, rounding=ROUND_HALF_UP)
    return shown if shown else Decimal("0.00")  # never "-0.00"


def shown_net_cents(realized_pnl_usd: Decimal, fees_usd: Decimal) -> int:
    return int(shown_net(realized_pnl_usd - fees_usd).scaleb(2))


# How unrealized PnL is SHOWN, by the same rule: each open position's unrealized PnL in whole cents
# (`shown_net`, half away from zero); a bot's shown unrealized is the sum of its open lines' shown
# cents and the portfolio's the sum of the bots' shown figures, so a card adds up to its lines and
# the header to its cards (rounding each sum instead could differ by a cent).
def shown_unrealized(unrealized_usd: Decimal) -> Decimal:
    return shown_net(unrealized_usd)


# How fees are SHOWN, by the same rule: each position's fees in whole cents (`shown_net`); a
# total of fees shown (a bot, the portfolio) is the sum of its rows' shown cents.
def shown_fee_cents(fees_usd: Decimal) -> int:
    return int(shown_net(fees_usd).scaleb(2))


def is_win(realized_pnl_usd: Decimal, fees_usd: Decimal) -> bool:
    """A win: a closed position whose net after all its fees is above zero (a scratch is not)."""
    return realized_pnl_usd > fees_usd

"""`exchange_positions` mirrors positionRisk (v3) and never touches the ledger's positions."""

from decimal import Decimal

import pytest

from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from egis.venues.binance.positions import sync_exchange_positions
from egis.venues.models import ExchangePosition

pytestmark = pytest.mark.django_db(transaction=True)


def _ledger_snapshot():
    return list(Position.objects.order_by("id").values())


def test_sync_mirrors_binance_and_leaves_positions_alone(
    binance_bot, binance_account, fake_binance
):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.set_position("ETHUSDT", "-0.5", "3000")  # opened by hand on Binance
    before = _ledger_snapshot()

    result = sync_exchange_positions(binance_account)

    assert _ledger_snapshot() == before
    rows = {r.symbol: r for r in ExchangePosition.objects.filter(account=binance_account)}
    assert rows["BNBUSDT"].position_amt == Decimal("0.17")
    assert rows["ETHUSDT"].position_amt == Decimal("-0.5")
    assert rows["ETHUSDT"].entry_price == Decimal("3000")
    assert {p["symbol"] for p in result.positions} == {"BNBUSDT", "ETHUSDT"}
    assert fake_binance.requests_to("/fapi/v3/positionRisk")


def test_a_symbol_gone_from_binance_is_mirrored_flat(binance_account, fake_binance):
    fake_binance.set_position("ETHUSDT", "0.5", "3000")
    sync_exchange_positions(binance_account)
    fake_binance.set_position("ETHUSDT", "0")

    result = sync_exchange_positions(binance_account)

    assert result.flattened == ["ETHUSDT"]
    row = ExchangePosition.objects.get(account=binance_account, symbol="ETHUSDT")
    assert row.position_amt == 0
    assert sync_exchange_positions(binance_account).flattened == []  # a second run: nothing


def test_the_mirror_reads_no_leverage_from_position_risk_v3(binance_account, fake_binance):
    # v3 rows have no `leverage` (v2's did). Even a row carrying one must not be read as if
    # Binance had said it: the mirror only keeps it in `raw`.
    fake_binance.set_position("ETHUSDT", "0.5", "3000")
    fake_binance.position_risk_extra = {"leverage": "50"}

    sync_exchange_positions(binance_account)

    row = ExchangePosition.objects.get(account=binance_account, symbol="ETHUSDT")
    assert row.leverage != 50
    assert row.raw["leverage"] == "50"


def test_the_fake_answers_the_documented_v3_fields_only(binance_account, fake_binance):
    from tests.support.fake_binance import FakeBinance

    fake_binance.set_position("ETHUSDT", "0.5", "3000")
    (row,) = FakeBinance._position_risk(fake_binance, {})[1]

    # GET /fapi/v3/positionRisk, one-way mode (Binance USDⓈ-M "Position Information V3").
    assert set(row) == {
        "symbol", "positionSide", "positionAmt", "entryPrice", "breakEvenPrice", "markPrice",
        "unRealizedProfit", "liquidationPrice", "isolatedMargin", "notional", "marginAsset",
        "isolatedWallet", "initialMargin", "maintMargin", "positionInitialMargin",
        "openOrderInitialMargin", "adl", "bidNotional", "askNotional", "updateTime",
    }  # fmt: skip

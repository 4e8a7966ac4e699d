"""Run one real order through the pipeline in a child process, pausing at a chosen stage.

    python -m tests.execution.support.pipeline_child open BOT_ID --side long --size-usd 20 \
        --stage answered
    python -m tests.execution.support.pipeline_child close BOT_ID --position 3 --stage in_venue

The database, data folder and busy timeout come from the environment (DATABASE_URL,
EGIS_DATA_DIR, EGIS_SQLITE_BUSY_TIMEOUT). Prints one JSON line: the result or the controlled
error; exit 0 booked, 3 not booked, 1 refused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("intent", choices=["open", "close"])
    parser.add_argument("bot_id", type=int)
    parser.add_argument("--side", default="long")
    parser.add_argument("--size-usd", default="20")
    parser.add_argument("--position", type=int, default=None)
    parser.add_argument("--stage", default="none")
    parser.add_argument("--venue", choices=["paper", "binance"], default="paper")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egis.settings")
    import django

    django.setup()
    from egis.bots.models import Bot
    from egis.core.errors import UserFacingError
    from egis.ledger.pipeline import order_close, order_open
    from egis.venues.paper.venue import PaperVenue
    from egis.venues.registry import venue_for
    from tests.execution.support.venues import BlockingVenue

    bot = Bot.objects.get(pk=args.bot_id)
    inner = PaperVenue(bot) if args.venue == "paper" else venue_for(bot)
    venue = BlockingVenue(inner, stage=args.stage)
    try:
        if args.intent == "open":
            result = order_open(bot_id=bot.pk, side=args.side, size_usd=args.size_usd, venue=venue)
        else:
            result = order_close(bot_id=bot.pk, position_id=args.position, venue=venue)
    except UserFacingError as exc:
        error = {
            "error": type(exc).__name__,
            "message": str(exc),
            "client_order_id": getattr(exc, "client_order_id", None),
            "code": getattr(exc, "code", None),
        }
        sys.stdout.write("@@result " + json.dumps(error) + "\n")
        return exc.exit_code
    sys.stdout.write(
        "@@result "
        + json.dumps({"order": result.order.client_order_id, "status": result.order.status})
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

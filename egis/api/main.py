"""The NinjaAPI instance for /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.operation import Operation

from egis.api.auth import AUTH
from egis.api.errors import install_handlers
from egis.api.parser import DecimalJsonParser
from egis.api.routers import bot_trading, bots, exits, incidents, orders, portfolio, signals
from egis.api.routers import history as bot_history

DESCRIPTION = """
JSON API for scripts and automation.

**Auth.** `Authorization: Bearer <token>` with a token from `egis token create USER` (shown
once, stored hashed), or the browser session; a session call that changes something needs
Django's CSRF token in the `X-CSRFToken` header.

**Money** is always an exact decimal string (`"8.80368"`). Send amounts as strings
(`"size_usd": "10.00"`): ASCII digits, at most 2 decimals (prices 8), at most 12 digits before
the point, no sign, spaces, exponent or `_`; USD amounts, quantities and prices are at most
1,000,000,000. A JSON number is read from its literal text by the same rule, never through
float: `10` and `10.5` are accepted, `1e1` is refused. Ids are JSON integers (never `true` or
`7.0`). Names have at most 80 characters; text never contains NUL or control characters.

**Bodies** are `application/json` (anything else: 415), at most 64 KiB (413) and at most 32
levels deep; malformed JSON is a 400.

**Errors** share one shape: `{"code": "...", "detail": "...", ...}`; 422 adds
`errors: [{"field", "message"}]`. A user asking for another user's bot or order gets 404;
an admin-only route gives 403 to a user.
"""


class EgisApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids for generated clients: "bots_list", "bots_order", ...
        return operation.view_func.__name__


api = EgisApi(
    title="Egis API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=AUTH,
    parser=DecimalJsonParser(),
)
install_handlers(api)
api.add_router("/bots", bots.router)
api.add_router("/bots", bot_trading.router)  # a bot's quote, budget, positions and orders
api.add_router("/bots", signals.router)
api.add_router("/bots", exits.router)  # exits (issue 12)
api.add_router("/bots", bot_history.router)  # settings history
api.add_router("/orders", orders.router)
api.add_router("/incidents", incidents.router)
api.add_router("", portfolio.router)  # cockpit: /portfolio, /bots/{id}/pause|resume|close-all|...

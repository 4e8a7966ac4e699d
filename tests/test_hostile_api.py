"""Every API operation, walked from the OpenAPI schema (a route added later is covered too), with
the hostile corpus of issue 10: no answer is a 5xx and nothing is written.

Bodies: each field gets every value that no field accepts (NUL, control characters, 10 kB,
lone surrogates, lists, objects, huge integers); amount fields get the amount corpus and
integer fields the id corpus, each of which must be a 422. Whole bodies: wrong content types
(415), over the limit (413), malformed, too deep or not UTF-8 (400). Path and query parameters
get Unicode digits, NUL, huge and signed numbers.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from egis.accounts.models import ApiToken, User
from egis.accounts.tokens import token_create
from egis.api.main import api
from egis.bots.models import Bot
from egis.exits.models import Exit
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import ExchangeAccount
from egis.venues.paper.models import PaperFill, PaperPosition

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = api.get_openapi_schema()
PREFIX = "/api/v1"
OPERATIONS = [
    (method.upper(), path, op)
    for path, methods in SCHEMA["paths"].items()
    for method, op in methods.items()
    if method in {"get", "post", "put", "patch", "delete"}
]
BODY_OPERATIONS = [(m, p, op) for m, p, op in OPERATIONS if "requestBody" in op]
# A valid body per operation that takes one: each hostile case changes exactly one thing.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "/api/v1/bots": {"name": "probe", "symbol": "ETHUSDT", "initial_budget_usd": "10"},
    # PATCH: its own name (a valid PATCH writes nothing); the risk limits are walked too.
    "/api/v1/bots/{bot_id}": {"name": "Bob ETH"},
    "/api/v1/bots/{bot_id}/orders": {"intent": "open", "side": "long", "size_usd": "10"},
    "/api/v1/bots/{bot_id}/paper-sync": {"confirm": False},
    "/api/v1/bots/{bot_id}/positions/{position_id}/exits": {"stop_loss": {"pct": "1"}},
    # More than the bot has open: the plan differs (409), nothing is sent.
    "/api/v1/bots/{bot_id}/close-all": {"expected": 9999},
    "/api/v1/incidents/{incident_id}/resolve": {
        "action": "close-position",
        "reason": "probe",
        "price": "2900",
    },
}


class Raw:
    """A JSON literal written as is (json.dumps would turn 1e1 into a float first)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text})"


DEEP = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]
# No field of any operation accepts these.
UNIVERSAL = [
    "\x00",
    "bad\x00value",
    "esc\x1b[31m",
    "\ud800",
    "x" * 10_000,
    [],
    {},
    [1, 2],
    DEEP,
    10**30,
    Raw("1e400"),
    Raw("NaN"),
]
# The list for amounts: each one a clear 422.
AMOUNTS = [
    "1_0",
    "\u0661\u0660",
    "\uff11\uff10",
    "\u00b2",
    "+10",
    " 10 ",
    "10\n",
    "1E+1",
    "0" * 38 + "10",
    "9" * 29,
    "100000000000",
    "1e11",
    "1e30",
    "-10",
    100_000_000_000,
    True,
    Raw("1e1"),
    Raw("1e30"),
    Raw("10.000000001"),
]
# Ids and other integers: never a boolean, a fraction, a Unicode digit or beyond 64 bits.
INTEGERS = [
    True,
    False,
    Raw("1.0"),
    Raw("1e1"),
    "\u00b2",
    "\u0661\u0660",
    "1_0",
    " 1",
    "1.5",
    -1,
    0,
    2**63,
    10**30,
]
PATH_VALUES = [
    "\u00b2",
    "\u0661\u0660",
    "1_0",
    " 1",
    "1.0",
    "-1",
    "0",
    "9" * 30,
    str(2**63),
    "true",
    "\x00",
    "x" * 5_000,
]
QUERY_VALUES = ["\u00b2", "\x00", "1_0", "x" * 10_000, "-1", "9" * 30, "1e3", "true"]


def _dump(body: Any) -> str:
    raws: dict[str, str] = {}

    def walk(value: Any) -> Any:
        if isinstance(value, Raw):
            key = f"__raw_{len(raws)}__"
            raws[key] = value.text
            return key
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    text = json.dumps(walk(body))
    for key, literal in raws.items():
        text = text.replace(f'"{key}"', literal)
    return text


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _resolve(option)
    return schema


def _fields(op: dict[str, Any]) -> dict[str, str]:
    """Each body field and its kind: amount, integer or other (from the published schema)."""
    body = _resolve(op["requestBody"]["content"]["application/json"]["schema"])
    kinds = {}
    for name, prop in body["properties"].items():
        prop = _resolve(prop)
        if "[0-9]" in prop.get("pattern", ""):
            kinds[name] = "amount"
        elif prop.get("type") == "integer":
            kinds[name] = "integer"
        else:
            kinds[name] = "other"
    return kinds


@pytest.fixture
def world(alice, paper_bot):
    kept = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    done = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    order_close(bot_id=paper_bot.pk, position_id=done.position.pk)
    incident = incident_record(kind="drift", bot_id=paper_bot.pk, payload={"symbol": "ETHUSDT"})
    _, token = token_create(user=alice, name="hostile")
    return {
        "ids": {
            "bot_id": paper_bot.pk,
            "position_id": done.position.pk,
            "client_order_id": kept.order.client_order_id,
            "incident_id": incident.pk,
        },
        "client": Client(headers={"Authorization": f"Bearer {token}"}),
    }


def _snapshot() -> tuple:
    return (
        list(User.objects.order_by("id").values()),
        list(Bot.objects.order_by("id").values()),
        list(Position.objects.order_by("id").values()),
        list(Order.objects.order_by("id").values()),
        list(Incident.objects.order_by("id").values()),
        list(ApiToken.objects.order_by("id").values("id", "name", "revoked_at")),
        list(ExchangeAccount.objects.order_by("id").values()),
        list(PaperFill.objects.order_by("id").values()),
        list(PaperPosition.objects.order_by("id").values()),
        list(Exit.objects.order_by("id").values()),
    )


def _url(path: str, ids: dict[str, Any]) -> str:
    return path.format(**{k: quote(str(v), safe="") for k, v in ids.items()})


def _send(client: Client, method: str, url: str, body: str | bytes | None, ctype: str):
    if body is None:
        return client.generic(method, url)
    return client.generic(method, url, data=body, content_type=ctype)


def test_the_walk_sees_every_operation():
    assert len(OPERATIONS) >= 13
    assert {p for _, p, _ in BODY_OPERATIONS} == set(VALID_BODIES)


@pytest.mark.parametrize(("method", "path", "op"), BODY_OPERATIONS, ids=lambda v: str(v)[:60])
def test_hostile_fields_are_refused_and_write_nothing(world, method, path, op):
    client, url = world["client"], _url(path, world["ids"])
    before = _snapshot()
    failures = []
    for name, kind in _fields(op).items():
        corpus = UNIVERSAL + {"amount": AMOUNTS, "integer": INTEGERS}.get(kind, [])
        for value in corpus:
            body = _dump({**VALID_BODIES[path], name: value})
            response = _send(client, method, url, body, "application/json")
            status = response.status_code
            wanted = (422,) if value in AMOUNTS + INTEGERS and value not in UNIVERSAL else ()
            if status >= 500 or (wanted and status not in wanted) or status < 400:
                failures.append((name, repr(value)[:40], status, response.content[:200]))
    assert not failures, failures
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "op"), BODY_OPERATIONS, ids=lambda v: str(v)[:60])
def test_hostile_bodies_get_415_413_or_400_and_write_nothing(world, method, path, op):
    client, url = world["client"], _url(path, world["ids"])
    valid = _dump(VALID_BODIES[path])
    cases: list[tuple[str | bytes, str, int]] = [
        (valid, "text/plain", 415),
        (valid, "application/x-www-form-urlencoded", 415),
        ("<bot><name>x</name></bot>", "application/xml", 415),
        (valid, "", 415),
        (valid, "multipart/form-data; boundary=x", 415),
        ("[" * 3000 + "]" * 3000, "application/json", 400),
        ('{"a":' * 3000 + "1" + "}" * 3000, "application/json", 400),
        ("not json", "application/json", 400),
        ('{"name": "x"', "application/json", 400),
        (b'{"name": "\xff\xfe"}', "application/json", 400),
        ("1" * 5000, "application/json", 400),
        (_dump({**VALID_BODIES[path], "pad": "x" * 70_000}), "application/json", 413),
        (_dump({**VALID_BODIES[path], "pad": "x" * 3_000_000}), "application/json", 413),
    ]
    before = _snapshot()
    failures = []
    for body, ctype, wanted in cases:
        response = _send(client, method, url, body, ctype)
        if response.status_code != wanted:
            failures.append((ctype, str(body)[:30], response.status_code, response.content[:200]))
        elif response.status_code != 413:
            assert response.json()["code"], response.content
    for body in ("[]", "null", '"text"', "7", "{}"):
        response = _send(client, method, url, body, "application/json")
        if response.status_code >= 500:
            failures.append(("json", body, response.status_code, response.content[:200]))
    assert not failures, failures
    assert _snapshot() == before


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=lambda v: str(v)[:60])
def test_hostile_path_and_query_values_never_give_a_5xx(world, method, path, op):
    client = world["client"]
    params = op.get("parameters", [])
    body = _dump(VALID_BODIES[path]) if path in VALID_BODIES else None
    before = _snapshot()
    failures = []
    for param in params:
        for value in PATH_VALUES if param["in"] == "path" else QUERY_VALUES:
            if param["in"] == "path":
                url = _url(path, {**world["ids"], param["name"]: value})
            else:
                url = f"{_url(path, world['ids'])}?{param['name']}={quote(value, safe='')}"
            response = _send(client, method, url, body, "application/json")
            bad_path = param["in"] == "path" and response.status_code not in (404, 422)
            if response.status_code >= 500 or bad_path:
                failures.append((param["name"], value[:20], response.status_code))
    assert not failures, failures
    if method != "POST":  # a query parameter cannot turn a valid open into a refusal
        assert _snapshot() == before


def test_a_budget_the_column_cannot_hold_is_a_clear_422(world):
    client = world["client"]
    for budget in ("100000000000", "1e11", "1e30", Raw("100000000000"), Raw("1e30")):
        body = _dump({**VALID_BODIES["/api/v1/bots"], "initial_budget_usd": budget})
        response = _send(client, "POST", "/api/v1/bots", body, "application/json")
        assert response.status_code == 422, response.content
        error = response.json()
        assert error["errors"][0]["field"] == "initial_budget_usd"
        assert "1,000,000,000" in error["detail"] or "exponent" in error["detail"]
    assert Bot.objects.count() == 1


def test_position_id_true_is_not_position_1(world):
    url = f"/api/v1/bots/{world['ids']['bot_id']}/orders"
    body = _dump({"intent": "close", "position_id": True})
    response = _send(world["client"], "POST", url, body, "application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "position_id"
    assert Position.objects.filter(status="open").count() == 1


def test_an_authenticated_body_over_django_limits_is_a_413_not_a_500(world):
    client = world["client"]
    body = _dump({**VALID_BODIES["/api/v1/bots"], "name": "x" * 3_000_000})
    response = _send(client, "POST", "/api/v1/bots", body, "application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    # Also where Django reads the body itself (a form body: the session CSRF check reads it).
    response = _send(client, "POST", "/api/v1/bots", "a=" + "x" * 3_000_000, "text/plain")
    assert response.status_code in (413, 415)
    assert Bot.objects.count() == 1


def test_the_published_schema_states_the_amount_rules():
    bot_in = SCHEMA["components"]["schemas"]["BotIn"]["properties"]["initial_budget_usd"]
    assert bot_in["maximum"] == 1_000_000_000
    assert bot_in["pattern"] == r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
    assert "1e1 no" in bot_in["description"]
    assert "415" in SCHEMA["info"]["description"] and "413" in SCHEMA["info"]["description"]

"""The id of an exit placed again after it was never placed is derived from the lost one: the
attempt is read from it, it fits Binance's 36 characters, and it shares the chain's prefix (the
incidents of a chain are found by it)."""

import re

import pytest

from egis.exits.ids import (
    chain_root,
    new_client_algo_id,
    replacement_attempt,
    replacement_client_algo_id,
)

BINANCE_ALPHABET = re.compile(r"^[.A-Z:/a-z0-9_-]{1,36}$")


@pytest.mark.parametrize("bot_id", [3, 123_456_789, 12_345_678_901])
def test_replacement_ids_are_derived_and_fit(bot_id):
    first = new_client_algo_id(bot_id)
    assert replacement_attempt(first) == 0
    cid = first
    for attempt in range(1, 13):
        cid = replacement_client_algo_id(cid)
        assert replacement_attempt(cid) == attempt
        assert BINANCE_ALPHABET.match(cid), cid
        assert first.startswith(chain_root(cid)) and cid.startswith(chain_root(cid))
        assert replacement_client_algo_id(cid) == replacement_client_algo_id(cid)  # no draw
    if len(first) <= 33:
        assert replacement_client_algo_id(first) == f"{first}-r1"

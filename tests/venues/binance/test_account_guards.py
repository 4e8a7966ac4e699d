"""Hedge mode and production are refused with a clear message, before any order is sent."""

import pytest

from egis.bots.services import bot_create
from egis.ledger.errors import VenueNotReady
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from egis.venues.accounts import AccountInputError, account_create
from egis.venues.base import VenueConfigError
from egis.venues.models import ExchangeAccount
from egis.venues.secrets import encrypt_secret

pytestmark = pytest.mark.django_db(transaction=True)


def test_hedge_mode_is_refused_clearly_and_nothing_is_sent(binance_bot, fake_binance):
    fake_binance.dual_side = True

    with pytest.raises(VenueNotReady, match="Hedge Mode") as caught:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    assert "One-way" in str(caught.value)
    assert fake_binance.order_posts == []
    assert fake_binance.requests_to("/fapi/v1/leverage") == []
    assert not Position.objects.filter(bot=binance_bot).exists()


def _production_bot(bob, *, base_url: str, is_production: bool):
    # Written directly: account_create refuses this, the venue must refuse it on its own too.
    account = ExchangeAccount.objects.create(
        owner=bob,
        venue="binance_futures",
        environment="production",
        base_url=base_url,
        api_key="prodkey0123456789",
        api_secret_encrypted=encrypt_secret("prodsecret0123456789"),
        is_production=is_production,
    )
    return bot_create(
        owner=bob,
        name="Prod",
        venue="binance_futures",
        symbol="BNBUSDT",
        budget_usd="10.00",
        exchange_account=account,
    )


@pytest.mark.parametrize("is_production", [True, False])
def test_production_is_refused_without_the_installation_switch(
    is_production, bob, fake_binance, settings
):
    settings.EGIS_ALLOW_PRODUCTION = False
    bot = _production_bot(bob, base_url=fake_binance.base_url, is_production=is_production)

    with pytest.raises(VenueNotReady, match="production"):
        order_open(bot_id=bot.pk, side="long", size_usd="10")

    assert fake_binance.requests == []


def test_production_needs_the_account_marked_production_too(bob, fake_binance, settings):
    settings.EGIS_ALLOW_PRODUCTION = True
    bot = _production_bot(bob, base_url=fake_binance.base_url, is_production=False)

    with pytest.raises(VenueNotReady, match="production"):
        order_open(bot_id=bot.pk, side="long", size_usd="10")

    assert fake_binance.requests == []


def test_production_account_creation_needs_both_switches(bob, settings):
    settings.EGIS_ALLOW_PRODUCTION = False
    common = {
        "owner": bob,
        "venue": "binance_futures",
        "api_key": "prodkey0123456789",
        "api_secret": "prodsecret0123456789",
    }
    with pytest.raises(AccountInputError, match="--production"):
        account_create(environment="production", **common)
    with pytest.raises(AccountInputError, match="EGIS_ALLOW_PRODUCTION"):
        account_create(environment="production", is_production=True, **common)
    settings.EGIS_ALLOW_PRODUCTION = True
    account = account_create(environment="production", is_production=True, **common)
    assert account.is_production


def test_a_demo_account_cannot_point_at_the_production_host(bob):
    with pytest.raises(VenueConfigError, match="production"):
        account_create(
            owner=bob,
            venue="binance_futures",
            environment="demo",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url="https://fapi.binance.com",
        )


def test_plain_http_is_only_for_a_local_simulator(bob):
    with pytest.raises(VenueConfigError, match=r"127\.0\.0\.1"):
        account_create(
            owner=bob,
            venue="binance_futures",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url="http://example.com",
        )


# Every spelling an HTTP client or DNS takes to Binance production. `fapi。binance。com` uses
# ideographic full stops, which IDNA maps to dots (httpx connects to fapi.binance.com); the
# full-width one is the same host after IDNA's NFKC mapping.
PRODUCTION_SPELLINGS = [
    "https://fapi.binance.com",
    "https://fapi.binance.com.",
    "https://fapi.binance.com./",
    "https://FAPI.BINANCE.COM",
    "https://Fapi.Binance.Com.",
    "https://fapi.binance.com:443",
    "https://fapi.binance.com.:443",
    "https://fapi\u3002binance\u3002com",
    "https://\uff46\uff41\uff50\uff49\uff0e\uff42\uff49\uff4e\uff41\uff4e\uff43\uff45\uff0e\uff43\uff4f\uff4d",
]


@pytest.mark.parametrize("base_url", PRODUCTION_SPELLINGS)
def test_every_spelling_of_the_production_host_is_production(base_url, bob):
    from egis.venues.binance.environments import normalised_host

    assert normalised_host(base_url) == "fapi.binance.com"
    with pytest.raises(VenueConfigError, match="production"):
        account_create(
            owner=bob,
            venue="binance_futures",
            environment="demo",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url=base_url,
        )


@pytest.mark.parametrize(
    "base_url",
    [
        "https://user@fapi.binance.com",
        "https://user:pw@fapi.binance.com:443",
        "https://demo-fapi.binance.com@fapi.binance.com",
    ],
)
def test_user_info_in_a_base_url_is_refused(base_url, bob):
    with pytest.raises(VenueConfigError, match="user info"):
        account_create(
            owner=bob,
            venue="binance_futures",
            environment="demo",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url=base_url,
        )


@pytest.mark.parametrize(
    "base_url",
    ["https://xn--fapi-.binance.com", "https://fapi%2Ebinance.com", "https://fapi..binance.com"],
)
def test_a_host_with_no_single_spelling_is_refused(base_url, bob):
    with pytest.raises(VenueConfigError, match="invalid host"):
        account_create(
            owner=bob,
            venue="binance_futures",
            environment="demo",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url=base_url,
        )


@pytest.mark.parametrize("base_url", PRODUCTION_SPELLINGS[1:])
def test_a_stored_production_spelling_is_refused_before_any_request(base_url, bob, settings):
    # Written directly (as an old row or a hand edit would be): the venue gate normalises too.
    settings.EGIS_ALLOW_PRODUCTION = False
    account = ExchangeAccount.objects.create(
        owner=bob,
        venue="binance_futures",
        environment="demo",
        base_url=base_url,
        api_key="demokey0123456789",
        api_secret_encrypted=encrypt_secret("demosecret0123456789"),
    )
    from egis.venues.binance.environments import resolve_base_url

    with pytest.raises(VenueConfigError, match="production"):
        resolve_base_url(account)


def test_the_demo_and_local_hosts_stay_usable(bob, fake_binance):
    for base_url in ("https://demo-fapi.binance.com.", "https://DEMO-FAPI.binance.com:443"):
        account = account_create(
            owner=bob,
            venue="binance_futures",
            environment="demo",
            api_key="demokey0123456789",
            api_secret="demosecret0123456789",
            base_url=base_url,
        )
        assert account.base_url == base_url.rstrip("/")
    local = fake_binance.base_url.replace("127.0.0.1", "localhost.")
    account_create(
        owner=bob,
        venue="binance_futures",
        api_key="demokey0123456789",
        api_secret="demosecret0123456789",
        base_url=local,
    )

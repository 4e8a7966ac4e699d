"""The signer against Binance's documented example (USDⓈ-M general info, HMAC keys)."""

from egis.venues.binance.signing import encode_params, sign, signed_payload

DOC_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
DOC_QUERY = (
    "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
    "&recvWindow=5000&timestamp=1591702613943"
)
DOC_SIGNATURE = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"


def test_signature_matches_binance_documented_example():
    assert sign(DOC_QUERY, DOC_SECRET) == DOC_SIGNATURE


def test_signed_payload_signs_exactly_what_it_sends_with_signature_last():
    params = [
        ("symbol", "BTCUSDT"),
        ("side", "BUY"),
        ("type", "LIMIT"),
        ("quantity", "1"),
        ("price", "9000"),
        ("timeInForce", "GTC"),
    ]
    payload = signed_payload(params, DOC_SECRET, timestamp_ms=1591702613943, recv_window_ms=5000)
    assert payload == f"{DOC_QUERY}&signature={DOC_SIGNATURE}"


def test_parameters_keep_their_order_and_are_url_encoded():
    assert encode_params([("b", "2"), ("a", "x:y/z")]) == "b=2&a=x%3Ay%2Fz"

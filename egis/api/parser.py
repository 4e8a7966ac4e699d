"""Request bodies are read without float: a JSON number with a fraction becomes a Decimal.

`{"size_usd": 10.1}` is therefore read as exactly Decimal("10.1"), never 10.0999999999999996447.
Money fields still document decimal strings ("10.10") as the canonical form.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser

MAX_BODY_BYTES = 64 * 1024


class BodyTooLarge(ValueError):
    pass


class DecimalJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if len(request.body) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
        # json.loads raises ValueError (incl. huge ints) on junk; ninja turns that into a 400.
        return cast(dict[str, Any], json.loads(request.body, parse_float=Decimal))

"""Request bodies: JSON only, bounded, decoded by the one input grammar (egis.core.inputs).

A body that is not `application/json` is a 415, one over the limit a 413, malformed or too-deep
JSON a 400. Numbers with a fraction are kept as their literal text (never a float), so
`{"size_usd": 10.1}` is judged as exactly "10.1" and `1e1` is refused like the string "1e1".
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest
from ninja.parser import Parser

from egis.api.errors import ApiError
from egis.core.inputs import load_json

JSON_CONTENT_TYPE = "application/json"


def body_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class DecimalJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        # ninja wraps what this raises in a 400 "Cannot parse request body"; the API's handler
        # for that answers with the cause instead (egis.api.errors).
        if request.content_type != JSON_CONTENT_TYPE:
            raise ApiError(
                415,
                "unsupported_media_type",
                f"send the body as {JSON_CONTENT_TYPE} (got {request.content_type or 'none'!r})"[
                    :200
                ],
            )
        if len(request.body) > body_limit():
            raise ApiError(413, "too_large", f"the request body is over {body_limit()} bytes")
        return cast(dict[str, Any], load_json(request.body))

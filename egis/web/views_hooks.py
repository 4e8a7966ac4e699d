"""`POST /hooks/<hook_id>`: the webhook a signal sender (TradingView, a script) posts to.

No session, no CSRF (the hook id and the secret are the credentials). The body is read as JSON
whatever its Content-Type: TradingView sends text/plain for a message it does not recognise as
JSON. The answer comes once the signal row is committed; execution happens in the worker.
"""

from __future__ import annotations

import json
import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from egis.accounts.throttle import client_address
from egis.signals.hooks import HookRefused, hook_refusal_record
from egis.signals.reason_words import signal_reason
from egis.signals.services import (
    BODY_MAX_BYTES,
    SignalBodyTooLarge,
    SignalDuplicateField,
    SignalNotJson,
    signal_receive,
)
from egis.signals.template import tradingview_template
from egis.signals.throttle import Throttled

logger = logging.getLogger("egis.signals")

# The one answer to every authentication failure, byte for byte (no oracle).
REFUSED = b'{"error": "not_found", "message": "No such hook, or the secret does not match."}'


# The answer to an unsigned body that is not JSON, the same whatever the hook id (decided before
# any hook is looked up): what is wrong, and the shape the message must have.
NOT_JSON = json.dumps(
    {
        "error": "not_json",
        "message": SignalNotJson.message,
        "template": json.loads(tradingview_template()),
    }
).encode()


class _CountedAfterSending(HttpResponse):
    """An answer to a request that named a live hook and failed to authenticate (a wrong
    secret, a bad signature): the refusal is counted on that hook for its owner's Signals card
    once the answer has been sent (the server calls `close()` then). Before it, the write would
    make a real hook's refusal measurably slower than an unknown one's."""

    refused: HookRefused | None = None

    def close(self) -> None:
        try:
            if self.refused is not None and self.refused.hook_pk is not None:
                hook_refusal_record(self.refused.hook_pk, self.refused.why)
        except Exception:  # the answer is sent: a count lost is logged, never raised
            logger.warning("webhook: a refusal was not counted on its hook", exc_info=True)
        finally:
            super().close()


def _refused(refused: HookRefused | None = None) -> HttpResponse:
    """The one refusal, the same bytes for every failure."""
    response = _CountedAfterSending(REFUSED, status=404, content_type="application/json")
    response.refused = refused
    return response


def _throttled(exc: Throttled) -> HttpResponse:
    body = {"error": "throttled", "message": "Too many requests. Try again later."}
    response = _CountedAfterSending(json.dumps(body), status=429, content_type="application/json")
    response["Retry-After"] = str(exc.retry_after_s)
    response.refused = exc.refused  # a failed authentication past its address's limit
    return response


def busy(exc: OperationalError) -> HttpResponse:
    """A locked or read-only database: nothing was recorded, the sender may try again."""
    logger.warning("webhook: database busy: %s", exc)
    return JsonResponse(
        {"error": "busy", "message": "Database busy: nothing was recorded. Try again."},
        status=503,
    )


@csrf_exempt
@require_POST
def hook_receive(request: HttpRequest, hook_id: str) -> HttpResponse:
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > BODY_MAX_BYTES:
        return JsonResponse(
            {"error": "too_large", "message": f"The body is over {BODY_MAX_BYTES} bytes."},
            status=413,
        )
    try:
        received = signal_receive(
            hook_id=hook_id,
            body=request.body,
            signature=request.META.get("HTTP_X_EGIS_SIGNATURE") or None,  # X-Egis-Signature
            address=client_address(request.META),
        )
    except SignalBodyTooLarge:
        return JsonResponse({"error": "too_large"}, status=413)
    except Throttled as exc:
        return _throttled(exc)
    except SignalNotJson:
        return HttpResponse(NOT_JSON, status=400, content_type="application/json")
    except SignalDuplicateField as exc:
        return JsonResponse({"error": "duplicate_field", "message": exc.message}, status=400)
    except HookRefused as refused:
        return _refused(refused)
    except OperationalError as exc:
        return busy(exc)
    signal = received.signal
    if received.duplicate:
        return JsonResponse({"status": "duplicate", "signal_id": signal.pk}, status=200)
    if signal.status == "rejected":
        reason = signal_reason(signal)
        return JsonResponse(
            {
                "signal_id": signal.pk,
                "status": "rejected",
                "reason": reason.words,
                "code": reason.code,
            },
            status=422,
        )
    return JsonResponse({"signal_id": signal.pk, "status": "accepted"}, status=202)

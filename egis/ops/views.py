"""Probes and metrics, outside the app's pages: no session, no login, no CSRF, nothing written.

- `/healthz`: the process answers (a load balancer's liveness probe).
- `/readyz`: 200 when this instance can serve (database, migrations, queue, price feed), 503
  with the names of the failing checks otherwise.
- `/metrics`: Prometheus text; 404 unless EGIS_METRICS_TOKEN is set, then 401 without
  `Authorization: Bearer <that token>`.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from egis.ops.metrics import metrics_text
from egis.ops.readiness import readiness


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _no_store(JsonResponse({"ok": True}))


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    failing = readiness()
    if failing:
        return _no_store(JsonResponse({"ready": False, "failing": failing}, status=503))
    return _no_store(JsonResponse({"ready": True}))


def _bearer_matches(request: HttpRequest, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.EGIS_METRICS_TOKEN
    if not token:
        raise Http404("no such page")
    if not _bearer_matches(request, token):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return _no_store(response)
    return _no_store(HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST))

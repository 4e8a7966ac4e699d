"""One error shape for every non-2xx answer, and handlers so that no input gives a 500.

    {"code": "not_enough_budget", "detail": "Not enough budget. ...", ...details}

422 answers add `"errors": [{"field": "size_usd", "message": "..."}]`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from egis.core.errors import DATABASE_BUSY_MESSAGE, UserFacingError
from egis.core.inputs import InputError
from egis.ledger.errors import InvalidOrderInput, OrderNotBooked, OrderRefused

logger = logging.getLogger("egis.api")


class ApiError(Exception):
    """An answer decided by a view: status, machine code, human detail, extra fields."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra


def not_found(what: str) -> ApiError:
    # The same answer whether the row is missing or belongs to someone else: no existence leak.
    return ApiError(404, "not_found", f"{what} not found")


def forbidden(detail: str = "admin only") -> ApiError:
    return ApiError(403, "forbidden", detail)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "invalid_input", message, errors=[{"field": field, "message": message}])


def _body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "detail": detail, **extra}


def _field_name(loc: Any) -> str:
    # ninja locations look like ("body", "payload", "size_usd") or ("query", "status").
    parts = [str(p) for p in (loc or ()) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


def _validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for error in errors:
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        out.append({"field": _field_name(error.get("loc")), "message": message[:300]})
    return out


def install_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, _body(exc.code, exc.detail, **exc.extra))

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _validation_errors(exc.errors)
        detail = "; ".join(
            e["message"] if e["message"].startswith(e["field"]) else f"{e['field']}: {e['message']}"
            for e in errors
        )
        detail = detail or "invalid input"
        return respond(request, 422, _body("invalid_input", detail, errors=errors))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, 401, _body("unauthenticated", exc.message))
        response["WWW-Authenticate"] = 'Bearer realm="egis"'
        return response

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja turns whatever the body parser raises into a bare 400; the parser's own answer
        # (415 not JSON, 413 too large, 400 malformed or too deep) is the cause.
        cause = exc.__cause__
        if isinstance(cause, ApiError):
            return _api_error(request, cause)
        if isinstance(cause, InputError):
            return _input_error(request, cause)
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "not_allowed"}
        return respond(
            request, exc.status_code, _body(code.get(exc.status_code, "error"), exc.message)
        )

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, _body("not_found", "not found"))

    @api.exception_handler(PermissionDenied)
    def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, _body("forbidden", "forbidden"))

    @api.exception_handler(InvalidOrderInput)
    def _invalid_order(request: HttpRequest, exc: InvalidOrderInput) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.message}]
        return respond(request, 422, _body(exc.code, exc.message, field=exc.field, errors=errors))

    @api.exception_handler(OrderRefused)
    def _refused(request: HttpRequest, exc: OrderRefused) -> HttpResponse:
        return respond(request, exc.http_status, _body(exc.code, exc.message, **exc.details))

    @api.exception_handler(OrderNotBooked)
    def _not_booked(request: HttpRequest, exc: OrderNotBooked) -> HttpResponse:
        return respond(
            request,
            exc.http_status,
            _body(
                exc.code,
                exc.message,
                client_order_id=exc.client_order_id,
                order_status=exc.order_status,
                incident_id=exc.incident_id,
            ),
        )

    @api.exception_handler(InputError)
    def _input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.message}]
        return respond(request, exc.http_status, _body(exc.code, exc.message, errors=errors))

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (the auth step or the
        # body parser asked for it): the limit, not a bug.
        return respond(request, 413, _body("too_large", "the request body is too large"))

    @api.exception_handler(SuspiciousOperation)
    def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, 400, _body("bad_request", "the request could not be read"))

    @api.exception_handler(UserFacingError)
    def _user_facing(request: HttpRequest, exc: UserFacingError) -> HttpResponse:
        # Services raise these for input they refuse (bad budget, unknown symbol, ...).
        status = int(getattr(exc, "http_status", 422))
        code = str(getattr(exc, "code", "invalid_input"))
        return respond(request, status, _body(code, " ".join(str(exc).split())))

    @api.exception_handler(OperationalError)
    def _busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        # "database is locked" and the like. The pipeline handles these itself after a venue
        # call (rule 5), so reaching here means nothing was sent: retrying is safe.
        logger.warning("api: database busy on %s %s: %s", request.method, request.path, exc)
        response = respond(request, 503, _body("busy", DATABASE_BUSY_MESSAGE))
        response["Retry-After"] = "1"
        return response

    @api.exception_handler(Exception)
    def _internal(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, not an input problem: keep the traceback in the log, answer without internals.
        logger.exception("api internal error on %s %s", request.method, request.path)
        return respond(request, 500, _body("internal", "internal error; it has been logged"))

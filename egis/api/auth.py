"""Who is calling: an API token (`Authorization: Bearer egis_...`) or the browser session.

A session-authenticated call that changes something must carry Django's CSRF token
(`X-CSRFToken` header + csrftoken cookie); a token call needs none (no cookie, no ambient
authority). A request that presents a token is judged by that token alone: a bad token is 401
even if a session cookie is also present, so scripts never silently act as a browser user.
Nothing here logs a token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security.apikey import APIKeyCookie
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from egis.accounts.models import User
from egis.accounts.tokens import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ApiTokenAuth(HttpAuthBase):
    """Bearer token; written on HttpAuthBase because ninja's HttpBearer logs a bad header."""

    openapi_scheme = "bearer"
    openapi_bearerFormat = "egis_<prefix>_<secret>"  # OpenAPI spells it so

    def __call__(self, request: HttpRequest) -> User | None:
        value = request.headers.get("Authorization")
        if not value:
            return None
        scheme, _, raw = value.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(401, "Unauthorized: use `Authorization: Bearer <token>`")
        user = token_authenticate(raw.strip())
        if user is None:
            raise AuthenticationError(401, "Unauthorized: invalid or revoked token")
        return user


class SessionCsrfAuth(APIKeyCookie):
    """The logged-in browser session; CSRF enforced on every unsafe method."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None  # 401 from ninja, before any CSRF talk
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # __call__ does the work; kept for the abstract base


def current_user(request: HttpRequest) -> User:
    user = getattr(request, "auth", None)
    assert isinstance(user, User), "auth ran before the view"
    return user


token_auth = ApiTokenAuth()
session_auth = SessionCsrfAuth()
AUTH = [token_auth, session_auth]

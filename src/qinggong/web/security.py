"""Cookies, CSRF protection and web security settings.

Sessions live in the store (so several workers on PostgreSQL share them); the browser holds an
opaque random token in an HttpOnly, SameSite=Strict cookie, marked Secure whenever the request
came over HTTPS (directly or through a proxy that sets X-Forwarded-Proto) or when
`secure_cookies=True`. Every state-changing request authenticated by that cookie must carry the
session's CSRF token (header `X-CSRF-Token` or form field `csrf_token`); requests with an API
token in `Authorization: Bearer …` carry no ambient credentials and need none. The login form
itself is protected by a double-submit token (cookie + form field).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field

from fastapi import Request
from starlette.responses import Response

from qinggong.web.auth import SESSION_HOURS, RateLimit

SESSION_COOKIE = "qg_session"
LOGIN_CSRF_COOKIE = "qg_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class WebSettings:
    """How the app treats cookies and logins. `secure_cookies=None` decides per request (HTTPS → Secure)."""

    secure_cookies: bool | None = None
    rate_limit: RateLimit = field(default_factory=RateLimit)
    session_hours: int = SESSION_HOURS
    reports_dir: str | None = None  # where generated reports are kept (default: beside the DuckDB file)


def is_secure(request: Request, settings: WebSettings) -> bool:
    if settings.secure_cookies is not None:
        return settings.secure_cookies
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, settings: WebSettings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        secure=is_secure(request, settings),
        samesite="strict",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_login_csrf_cookie(response: Response, request: Request, settings: WebSettings, token: str) -> None:
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, secure=is_secure(request, settings), samesite="strict", path="/"
    )


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is served by the app itself: no CDN, no third-party origin.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self';"
        " font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}

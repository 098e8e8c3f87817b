"""Who is asking and what they may see: authentication, role permissions and data scope.

Every endpoint depends on `require(permission)`. It authenticates the request (API token or
session cookie), checks the role against PERMISSIONS, enforces CSRF on state-changing requests
made with a session cookie, and returns a `Principal` whose `scope` every data query goes through.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable

import pandas as pd
from fastapi import Depends, Request

from qinggong.errors import QinggongError
from qinggong.store import Store
from qinggong.web import auth
from qinggong.web.auth import User
from qinggong.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, tokens_match

ALL_ROLES = frozenset(auth.ROLES)
READERS = frozenset({"admin", "analyst", "province", "association", "readonly"})

# permission -> roles that hold it. Scope (own province / sectors / enterprise) is applied on top.
PERMISSIONS: dict[str, frozenset[str]] = {
    "session": ALL_ROLES,
    "data.read": READERS,
    "data.import": frozenset({"admin", "analyst"}),
    "alerts.read": READERS,
    "alerts.update": frozenset({"admin", "analyst", "province"}),
    "enterprise.read": frozenset({"admin", "analyst", "enterprise"}),
    "enterprise.submit": frozenset({"admin", "enterprise"}),
    "plan.read": READERS,
    "plan.write": frozenset({"admin", "analyst"}),
    "plan.submit": frozenset({"admin", "province"}),
    "report.read": READERS,
    "report.generate": frozenset({"admin", "analyst"}),
    "users.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
}


class NotAuthenticated(Exception):
    """No valid session or token: API answers 401, pages redirect to the login page."""


class Forbidden(Exception):
    """Authenticated but not allowed; the message is Chinese and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CsrfFailed(Forbidden):
    pass


@dataclass
class Scope:
    """What one user may see of the store."""

    user: User

    @property
    def microdata(self) -> bool:
        return self.user.microdata

    @property
    def all_series(self) -> bool:
        return self.user.role in ("admin", "analyst", "readonly")

    @property
    def no_series(self) -> bool:
        return self.user.role == "enterprise"

    def region_allowed(self, region: str) -> bool:
        if self.no_series:
            return False
        if self.user.role == "province":
            return bool(self.user.region) and region[:2] == self.user.region[:2] and region != "000000"
        return True

    def industry_allowed(self, industry: str) -> bool:
        if self.no_series:
            return False
        if self.user.role != "association":
            return True
        codes = self._sector_codes
        return industry in codes or any(c.isdigit() and industry.startswith(c) for c in codes)

    @cached_property
    def _sector_codes(self) -> frozenset[str]:
        return frozenset(self._industry_codes())

    def _industry_codes(self) -> set[str]:
        codes = set(self.user.sectors)
        try:
            from qinggong import catalog

            for sector in catalog.light_scope().sectors:
                names = {sector.id, f"LI_{sector.id}", getattr(sector, "series_code", None)}
                if codes & {n for n in names if n}:
                    codes.update(sector.codes)
                    codes.update(n for n in names if n)
        except (AttributeError, LookupError, QinggongError):  # catalog not available: the explicit codes stand
            pass
        return codes

    def key_allowed(self, key: Any) -> bool:
        return self.region_allowed(key.region) and self.industry_allowed(key.industry)

    def default_region(self) -> str:
        return self.user.region if self.user.role == "province" and self.user.region else "000000"

    # ---------------------------------------------------------------- queries
    def allowed_values(self, store: Store, dimension: str) -> list[str] | None:
        """Codes of `dimension` present in the store that this user may see (None: no restriction)."""
        if self.no_series:
            return []
        if dimension == "region" and self.user.role == "province":
            present = [r[0] for r in store.backend.fetchall("SELECT DISTINCT region FROM series")]
            return sorted(r for r in present if self.region_allowed(r))
        if dimension == "industry" and self.user.role == "association":
            present = [r[0] for r in store.backend.fetchall("SELECT DISTINCT industry FROM series")]
            return sorted(i for i in present if self.industry_allowed(i))
        return None

    def restrict(self, store: Store, filters: dict[str, Any]) -> dict[str, Any]:
        """Combine requested filters with the scope; a request outside the scope is Forbidden."""
        result = dict(filters)
        for dimension, check, label in (
            ("region", self.region_allowed, "地区"),
            ("industry", self.industry_allowed, "行业"),
        ):
            wanted = result.get(dimension)
            if self.no_series:
                raise Forbidden("企业用户只能查看本企业的直报数据")
            if wanted:
                values = [wanted] if isinstance(wanted, str) else list(wanted)
                denied = [v for v in values if not check(v)]
                if denied:
                    raise Forbidden(f"无权查看{label}“{'、'.join(denied)}”的数据（{self.user.role_name}只能查看本{('省' if dimension == 'region' else '协会行业')}）")
            else:
                allowed = self.allowed_values(store, dimension)
                if allowed is not None:
                    result[dimension] = allowed
        return result

    def disclose(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Disclosure control: without microdata rights only conf_status F observations pass."""
        if self.microdata or frame.empty or "conf_status" not in frame.columns:
            return frame
        return apply_disclosure(frame)


def apply_disclosure(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop every observation whose confidentiality status is not F (free)."""
    return frame[frame["conf_status"].astype(str) == "F"].reset_index(drop=True)


@dataclass
class Principal:
    user: User
    via: str  # "session" or "token"
    csrf_token: str | None = None

    @cached_property
    def scope(self) -> Scope:
        return Scope(self.user)

    def can(self, permission: str) -> bool:
        return self.user.role in PERMISSIONS.get(permission, frozenset())


def get_store(request: Request) -> Store:
    return request.app.state.store


def authenticate_request(request: Request) -> Principal:
    store = get_store(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = auth.token_user(store, header[7:].strip())
        if user is None:
            raise NotAuthenticated()
        return Principal(user, "token")
    token = request.cookies.get(SESSION_COOKIE)
    found = auth.session_user(store, token) if token else None
    if found is None:
        raise NotAuthenticated()
    return Principal(found[0], "session", found[1])


async def check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    given = request.headers.get(CSRF_HEADER)
    if not given and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        given = form.get(CSRF_FIELD)
    if not tokens_match(principal.csrf_token, given):
        raise CsrfFailed("请求缺少有效的 CSRF 令牌：请刷新页面后重试")


def require(permission: str) -> Callable[..., Any]:
    roles = PERMISSIONS[permission]

    async def dependency(request: Request) -> Principal:
        principal = authenticate_request(request)
        await check_csrf(request, principal)
        if principal.user.role not in roles:
            allowed = "、".join(auth.ROLES[r] for r in auth.ROLES if r in roles)
            raise Forbidden(f"{principal.user.role_name}无权执行此操作（需要：{allowed}）")
        request.state.principal = principal
        return principal

    return Depends(dependency)


def optional_principal(request: Request) -> Principal | None:
    try:
        return authenticate_request(request)
    except NotAuthenticated:
        return None


def roles_with(permission: str) -> Iterable[str]:
    return sorted(PERMISSIONS[permission])

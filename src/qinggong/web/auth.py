"""Accounts: users with a role and a scope, argon2 password hashes, login sessions, API tokens.

Secrets never reach the store in clear: passwords are argon2id hashes, session ids and API tokens
are stored as SHA-256 digests. Every change to an account is written to the audit log.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qinggong.errors import InputError, QinggongError
from qinggong.store import Store, now_utc

# Role code -> Chinese name. Codes are what the API and the CLI store; names are what people read.
ROLES: dict[str, str] = {
    "admin": "管理员",
    "analyst": "部级分析员",
    "province": "省级用户",
    "association": "协会用户",
    "enterprise": "企业用户",
    "readonly": "只读",
}
ROLE_BY_NAME = {name: code for code, name in ROLES.items()}
# Roles allowed to see observations whose conf_status is not F (microdata rights).
MICRODATA_ROLES = frozenset({"admin", "analyst"})

MIN_PASSWORD_LENGTH = 8
SESSION_HOURS = 12
# Argon2id with the OWASP Password Storage Cheat Sheet minimum (m=19 MiB, t=2, p=1): about 0.1 s
# per hash on a 2-core server, so a login does not stall the workers. Hashes made with other
# parameters still verify and are re-hashed with these at the next login.
ARGON2_PARAMETERS = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}
_hasher = PasswordHasher(**ARGON2_PARAMETERS)
_DUMMY_HASH = _hasher.hash("qinggong-dummy-password")


class AuthError(QinggongError):
    """Login failed or the credentials are no longer valid."""


class RateLimited(QinggongError):
    """Too many failed logins; `retry_after` seconds until the next attempt is allowed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    user_id: int
    username: str
    role: str
    display_name: str | None = None
    region: str | None = None
    sectors: tuple[str, ...] = field(default_factory=tuple)
    enterprise_id: str | None = None
    active: bool = True

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def microdata(self) -> bool:
        return self.role in MICRODATA_ROLES

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "role_name": self.role_name,
            "region": self.region,
            "sectors": list(self.sectors),
            "enterprise_id": self.enterprise_id,
            "active": self.active,
        }


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_role(role: str) -> str:
    text = (role or "").strip()
    if text in ROLES:
        return text
    if text in ROLE_BY_NAME:
        return ROLE_BY_NAME[text]
    choices = "、".join(f"{code}（{name}）" for code, name in ROLES.items())
    raise InputError(f"未知的角色“{role}”：可选 {choices}", field="role")


def _check_password(password: str) -> None:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"口令至少需要 {MIN_PASSWORD_LENGTH} 个字符", field="password")
    if password.strip() != password:
        raise InputError("口令首尾不能有空格", field="password")


def _check_province(region: str | None) -> str:
    code = (region or "").strip()
    if not (len(code) == 6 and code.isdigit() and code.endswith("0000") and code != "000000"):
        raise InputError(f"省级用户需要省级行政区划代码（如 440000），收到“{region or ''}”", field="region")
    try:
        from qinggong import catalog

        catalog.region(code)
    except QinggongError as exc:
        raise InputError(f"行政区划代码“{code}”不在 GB/T 2260 目录中", field="region") from exc
    except AttributeError:  # catalog still being built: the format check above stands
        pass
    return code


def _check_sectors(sectors: Iterable[str] | None) -> tuple[str, ...]:
    codes = tuple(s.strip() for s in (sectors or []) if s and s.strip())
    if not codes:
        raise InputError("协会用户至少需要一个行业代码（GB/T 4754，如 21、LI_FURN）", field="sectors")
    from qinggong import catalog

    for code in codes:
        if code.startswith("LI_"):
            try:
                known = {s.id for s in catalog.light_scope().sectors} | {
                    s.series_code for s in catalog.light_scope().sectors
                }
            except AttributeError:
                continue
            if code not in known and code.removeprefix("LI_") not in known:
                raise InputError(f"轻工业细分行业“{code}”不在轻工业范围文件中", field="sectors")
            continue
        try:
            catalog.industry(code)
        except QinggongError as exc:
            raise InputError(f"行业代码“{code}”不在 GB/T 4754-2017 中", field="sectors") from exc
        except AttributeError:
            pass
    return codes


def _row_to_user(row: dict[str, Any]) -> User:
    sectors = tuple(json.loads(row["sectors"])) if row.get("sectors") else ()
    return User(
        user_id=int(row["user_id"]),
        username=row["username"],
        role=row["role"],
        display_name=row.get("display_name"),
        region=row.get("region"),
        sectors=sectors,
        enterprise_id=row.get("enterprise_id"),
        active=bool(row["active"]),
    )


_USER_COLUMNS = "user_id, username, display_name, role, region, sectors, enterprise_id, active"


def _fetch_user(store: Store, where: str, params: list[Any]) -> User | None:
    frame = store.backend.fetch_df(f"SELECT {_USER_COLUMNS} FROM web_user WHERE {where}", params)
    if frame.empty:
        return None
    row = {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}
    return _row_to_user(row)


def get_user(store: Store, username: str) -> User:
    user = _fetch_user(store, "username = ?", [username])
    if user is None:
        raise InputError(f"没有用户“{username}”", field="username")
    return user


def create_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    *,
    region: str | None = None,
    sectors: Iterable[str] | None = None,
    enterprise_id: str | None = None,
    display_name: str | None = None,
    actor: str | None = None,
) -> User:
    name = (username or "").strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InputError("用户名不能为空、不能含空白，最长 64 个字符", field="username")
    role = normalize_role(role)
    _check_password(password)
    region = _check_province(region) if role == "province" else None
    sector_codes = _check_sectors(sectors) if role == "association" else ()
    if role == "enterprise":
        enterprise_id = (enterprise_id or "").strip()
        if not enterprise_id:
            raise InputError("企业用户需要企业标识（统一社会信用代码或直报企业编号）", field="enterprise_id")
    else:
        enterprise_id = None
    stamp = now_utc()
    with store.transaction():
        if store.backend.scalar("SELECT COUNT(*) FROM web_user WHERE username = ?", [name]):
            raise InputError(f"用户“{name}”已存在", field="username")
        user_id = int(store.backend.scalar("SELECT nextval('web_user_id_seq')"))
        store.backend.execute(
            "INSERT INTO web_user (user_id, username, display_name, role, region, sectors, enterprise_id,"
            " password_hash, active, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                user_id,
                name,
                display_name,
                role,
                region,
                json.dumps(list(sector_codes), ensure_ascii=False) if sector_codes else None,
                enterprise_id,
                _hasher.hash(password),
                True,
                stamp,
                stamp,
            ],
        )
        store.record_audit(
            "user.add",
            object_type="user",
            object_id=name,
            details={"role": role, "region": region, "sectors": list(sector_codes), "enterprise_id": enterprise_id},
            actor=actor,
        )
    return get_user(store, name)


def list_users(store: Store) -> list[User]:
    frame = store.backend.fetch_df(f"SELECT {_USER_COLUMNS} FROM web_user ORDER BY user_id")
    rows = [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in frame.to_dict(orient="records")]
    return [_row_to_user(r) for r in rows]


def set_password(store: Store, username: str, password: str, *, actor: str | None = None) -> None:
    _check_password(password)
    user = get_user(store, username)
    with store.transaction():
        store.backend.execute(
            "UPDATE web_user SET password_hash = ?, updated_at = ? WHERE user_id = ?",
            [_hasher.hash(password), now_utc(), user.user_id],
        )
        # A new password ends every open session of that user.
        store.backend.execute("DELETE FROM web_session WHERE user_id = ?", [user.user_id])
        store.record_audit("user.passwd", object_type="user", object_id=username, actor=actor)


def set_active(store: Store, username: str, active: bool, *, actor: str | None = None) -> None:
    user = get_user(store, username)
    with store.transaction():
        store.backend.execute(
            "UPDATE web_user SET active = ?, updated_at = ? WHERE user_id = ?", [bool(active), now_utc(), user.user_id]
        )
        if not active:
            store.backend.execute("DELETE FROM web_session WHERE user_id = ?", [user.user_id])
            store.backend.execute("UPDATE api_token SET revoked = ? WHERE user_id = ?", [True, user.user_id])
        store.record_audit(
            "user.enable" if active else "user.disable", object_type="user", object_id=username, actor=actor
        )


# ---------------------------------------------------------------------------------------- login
@dataclass(frozen=True)
class RateLimit:
    """Failed logins allowed per user name and per client address within `window_seconds`."""

    per_user: int = 5
    per_ip: int = 20
    window_seconds: int = 900


def _check_rate(store: Store, username: str, client_ip: str, limit: RateLimit) -> None:
    since = now_utc() - timedelta(seconds=limit.window_seconds)
    by_user = store.backend.fetchone(
        "SELECT COUNT(*), MIN(attempted_at) FROM login_attempt WHERE username = ? AND success = ? AND attempted_at > ?",
        [username, False, since],
    )
    by_ip = store.backend.fetchone(
        "SELECT COUNT(*), MIN(attempted_at) FROM login_attempt WHERE client_ip = ? AND success = ? AND attempted_at > ?",
        [client_ip, False, since],
    )
    for (count, first), allowed in ((by_user, limit.per_user), (by_ip, limit.per_ip)):
        if int(count or 0) >= allowed:
            first = pd.Timestamp(first).to_pydatetime()
            wait = max(1, int((first + timedelta(seconds=limit.window_seconds) - now_utc()).total_seconds()))
            raise RateLimited(f"登录失败次数过多，请 {max(1, wait // 60)} 分钟后再试", retry_after=wait)


def authenticate(
    store: Store, username: str, password: str, *, client_ip: str = "unknown", limit: RateLimit = RateLimit()
) -> User:
    """Check a user name and password; raises AuthError (or RateLimited) and records the attempt."""
    username = (username or "").strip()
    _check_rate(store, username, client_ip, limit)
    frame = store.backend.fetch_df(
        f"SELECT {_USER_COLUMNS}, password_hash FROM web_user WHERE username = ?", [username]
    )
    ok = False
    user = None
    stored_hash = _DUMMY_HASH
    if not frame.empty:
        row = {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}
        stored_hash = row.pop("password_hash")
        user = _row_to_user(row)
    try:
        ok = _hasher.verify(stored_hash, password or "") and user is not None and user.active
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    with store.transaction():
        store.backend.execute(
            "INSERT INTO login_attempt (username, client_ip, attempted_at, success) VALUES (?,?,?,?)",
            [username, client_ip, now_utc(), ok],
        )
        store.record_audit(
            "login" if ok else "login.failed",
            object_type="user",
            object_id=username,
            details={"client_ip": client_ip},
            actor=username or "anonymous",
        )
    if not ok:
        raise AuthError("用户名或口令不正确，或账户已停用")
    if _hasher.check_needs_rehash(stored_hash):
        store.backend.execute(
            "UPDATE web_user SET password_hash = ? WHERE user_id = ?", [_hasher.hash(password), user.user_id]
        )
    return user


def create_session(store: Store, user: User, *, client_ip: str | None = None) -> tuple[str, str]:
    """A new login session: returns (session token for the cookie, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    stamp = now_utc()
    store.backend.execute(
        "INSERT INTO web_session (session_hash, user_id, csrf_token, created_at, expires_at, client_ip)"
        " VALUES (?,?,?,?,?,?)",
        [digest(token), user.user_id, csrf, stamp, stamp + timedelta(hours=SESSION_HOURS), client_ip],
    )
    return token, csrf


def session_user(store: Store, token: str) -> tuple[User, str] | None:
    """The user and CSRF token of a live session, or None."""
    if not token:
        return None
    frame = store.backend.fetch_df(
        "SELECT u.user_id, u.username, u.display_name, u.role, u.region, u.sectors, u.enterprise_id, u.active,"
        " s.csrf_token FROM web_session s JOIN web_user u ON u.user_id = s.user_id"
        " WHERE s.session_hash = ? AND s.expires_at > ?",
        [digest(token), now_utc()],
    )
    if frame.empty:
        return None
    row = {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}
    csrf = row.pop("csrf_token")
    user = _row_to_user(row)
    return (user, csrf) if user.active else None


def end_session(store: Store, token: str, *, actor: str | None = None) -> None:
    with store.transaction():
        store.backend.execute("DELETE FROM web_session WHERE session_hash = ?", [digest(token)])
        store.record_audit("logout", object_type="session", actor=actor)


def create_api_token(store: Store, user: User, *, name: str | None = None, days: int | None = 90) -> dict[str, Any]:
    """A new API token for `user`; the clear token is returned once and never stored."""
    token = "qg_" + secrets.token_urlsafe(32)
    stamp = now_utc()
    expires = stamp + timedelta(days=days) if days else None
    with store.transaction():
        token_id = int(store.backend.scalar("SELECT nextval('api_token_id_seq')"))
        store.backend.execute(
            "INSERT INTO api_token (token_id, user_id, token_hash, name, created_at, expires_at, revoked)"
            " VALUES (?,?,?,?,?,?,?)",
            [token_id, user.user_id, digest(token), name, stamp, expires, False],
        )
        store.record_audit(
            "token.create", object_type="api_token", object_id=str(token_id), details={"name": name}, actor=user.username
        )
    return {"token_id": token_id, "token": token, "name": name, "expires_at": expires}


def list_api_tokens(store: Store, user: User) -> pd.DataFrame:
    return store.backend.fetch_df(
        "SELECT token_id, name, created_at, expires_at, revoked FROM api_token WHERE user_id = ? ORDER BY token_id",
        [user.user_id],
    )


def revoke_api_token(store: Store, user: User, token_id: int) -> None:
    owner = store.backend.scalar("SELECT user_id FROM api_token WHERE token_id = ?", [int(token_id)])
    if owner is None or (int(owner) != user.user_id and user.role != "admin"):
        raise InputError(f"没有编号为 {token_id} 的令牌", field="token_id")
    with store.transaction():
        store.backend.execute("UPDATE api_token SET revoked = ? WHERE token_id = ?", [True, int(token_id)])
        store.record_audit("token.revoke", object_type="api_token", object_id=str(token_id), actor=user.username)


def token_user(store: Store, token: str) -> User | None:
    if not token:
        return None
    frame = store.backend.fetch_df(
        "SELECT u.user_id, u.username, u.display_name, u.role, u.region, u.sectors, u.enterprise_id, u.active"
        " FROM api_token t JOIN web_user u ON u.user_id = t.user_id"
        " WHERE t.token_hash = ? AND t.revoked = ? AND (t.expires_at IS NULL OR t.expires_at > ?)",
        [digest(token), False, now_utc()],
    )
    if frame.empty:
        return None
    row = {k: (None if pd.isna(v) else v) for k, v in frame.iloc[0].to_dict().items()}
    user = _row_to_user(row)
    return user if user.active else None


def purge_expired(store: Store, *, older_than: datetime | None = None) -> None:
    """Drop expired sessions and old login attempts (called at start-up)."""
    stamp = now_utc()
    store.backend.execute("DELETE FROM web_session WHERE expires_at <= ?", [stamp])
    store.backend.execute(
        "DELETE FROM login_attempt WHERE attempted_at < ?", [older_than or stamp - timedelta(days=30)]
    )

"""统一社会信用代码 (GB 32100-2015): 18 characters, the last one a check character.

Positions: 1 registration authority, 2 entity type, 3–8 region (GB/T 2260), 9–17 organisation
code (GB 11714, its own check digit at 17), 18 check character over positions 1–17 with
weights 3^(i-1) mod 31 in the 31-character alphabet (no I, O, Z, S, V).
"""

from __future__ import annotations

import numpy as np

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def credit_code_check_char(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` is not a valid credit code (Chinese), or None when it is."""
    text = (code or "").strip().upper()
    if len(text) != 18:
        return f"统一社会信用代码“{code}”应为 18 位，实际 {len(text)} 位"
    bad = [ch for ch in text if ch not in _VALUE]
    if bad:
        return f"统一社会信用代码“{code}”含非法字符“{bad[0]}”（不得使用 I、O、Z、S、V）"
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        return f"统一社会信用代码“{code}”校验码错误：第 18 位应为“{expected}”（GB 32100-2015）"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None


_VALUE_OF_CODE_POINT = np.full(128, -1, dtype=np.int64)
_VALUE_OF_CODE_POINT[[ord(ch) for ch in ALPHABET]] = np.arange(len(ALPHABET))


def valid_credit_codes(codes: list[str]) -> np.ndarray:
    """`is_valid_credit_code` for many codes at once (already stripped and upper case): a
    national registry has hundreds of thousands, and the check character is a dot product."""
    if not len(codes):
        return np.zeros(0, dtype=bool)
    lengths = np.fromiter((len(c) for c in codes), dtype=np.int64, count=len(codes))
    valid = lengths == 18
    full = [c for c, ok in zip(codes, valid) if ok]
    if full:
        points = np.array(full, dtype="<U18").view(np.uint32).reshape(-1, 18).astype(np.int64)
        values = np.where(points < 128, _VALUE_OF_CODE_POINT[np.minimum(points, 127)], -1)
        check = (31 - (values[:, :17] @ np.array(WEIGHTS)) % 31) % 31
        valid[valid] = (values >= 0).all(axis=1) & (check == values[:, 17])
    return valid


def _org_code(body8: str) -> str:
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def make_credit_code(region: str, serial: int, *, authority: str = "9", kind: str = "1") -> str:
    """A well-formed code for a generated enterprise: 91 + region + organisation code + check."""
    body = _org_code(f"{serial % 10**8:08d}")
    first17 = f"{authority}{kind}{region[:6]}{body}"
    return first17 + credit_code_check_char(first17)

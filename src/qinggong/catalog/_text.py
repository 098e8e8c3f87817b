"""Text normalisation shared by the catalog lookups (pure functions, no data)."""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Enumeration commas and other separators that vendors add or drop at will.
_SEPARATORS = re.compile(r"[、，,·・]")


def clean(text: str) -> str:
    """NFKC (full-width → half-width, e.g. `（` → `(`, `％` → `%`) and all whitespace removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def drop_separators(text: str) -> str:
    return _SEPARATORS.sub("", text)

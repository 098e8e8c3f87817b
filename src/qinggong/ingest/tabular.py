"""Reading any table file into sheets of text cells: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030),
XLSX and XLS (through calamine), with garbage (binary, images, empty, truncated workbooks)
turned into one clear Chinese error.

Cells are kept as text so every later step can point at the exact file/sheet/row/column; values
are parsed vectorised by `parse_values`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from qinggong.errors import InputError


@dataclass
class Sheet:
    """One table: `cells` holds text (\"\" for empty), row i is file row i + 1."""

    file: str
    name: str | None
    cells: pd.DataFrame
    encoding: str | None = None
    kind: str = "csv"
    meta: dict = field(default_factory=dict)


_MAGIC = {
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"%PDF": "PDF 文档",
    b"BM": None,  # too short to be sure; handled by the binary check
    b"\x1f\x8b": "gzip 压缩文件",
    b"Rar!": "RAR 压缩文件",
    b"7z\xbc\xaf": "7z 压缩文件",
}

_MISSING_TOKENS = {"", "—", "——", "…", "……", "-", "--", "---", "－", "nan", "NaN", "NA", "N/A", "n/a", "null", "NULL", "None", "...", "·", "x", "X", "—-"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def file_kind(path: Path, head: bytes) -> str:
    """xlsx, xls or text; raises InputError for everything we cannot read as a table."""
    name = path.name
    if not head:
        raise InputError("文件为空（0 字节），没有可导入的数据", file=name)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    for magic, label in _MAGIC.items():
        if label and head.startswith(magic):
            raise InputError(f"文件实际是{label}，不是 CSV 或 Excel 表格，无法导入", file=name)
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("文件是二进制内容，不是 CSV 或 Excel 表格，无法导入", file=name)
    return "text"


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030（第 {exc.start} 字节附近无法解码）", file=name
        ) from exc


def _sniff_delimiter(text: str) -> str:
    sample = text[:20000]
    first_lines = [line for line in sample.splitlines()[:20] if line.strip()]
    counts = {d: sum(line.count(d) for line in first_lines) for d in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _read_csv_text(text: str, name: str, path: Path | None = None, encoding: str | None = None) -> pd.DataFrame:
    delimiter = _sniff_delimiter(text)
    try:
        # Reading the file itself is several times faster than parsing the decoded text again.
        source = path if path is not None and encoding not in (None, "utf-16") else io.StringIO(text)
        frame = pd.read_csv(
            source, header=None, dtype=object, keep_default_na=False, na_filter=False,
            sep=delimiter, skip_blank_lines=False, engine="c",
            encoding=encoding if source is path else None,
        )
    except (pd.errors.ParserError, ValueError):
        # Ragged rows (more fields further down than in the first line): the csv module copes.
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        width = max((len(r) for r in rows), default=0)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    except pd.errors.EmptyDataError:
        raise InputError("文件没有任何内容行，没有可导入的数据", file=name)
    frame = frame.fillna("")
    frame.columns = range(frame.shape[1])
    return frame


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_workbook(path: Path, kind: str) -> list[tuple[str, pd.DataFrame]]:
    from python_calamine import CalamineWorkbook

    label = "XLSX" if kind == "xlsx" else "XLS"
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for sheet_name in workbook.sheet_names:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            width = max((len(r) for r in rows), default=0)
            cells = pd.DataFrame([[_cell_text(v) for v in r] + [""] * (width - len(r)) for r in rows], dtype=object)
            sheets.append((sheet_name, cells))
        return sheets
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for corrupt or truncated files
        raise InputError(f"{label} 文件已损坏或不完整，无法读取（{type(exc).__name__}：{exc}）", file=path.name) from exc


def read_sheets(path: str | Path) -> tuple[list[Sheet], bytes]:
    """All non-empty sheets of a file, and the raw bytes (for the checksum)."""
    path = Path(path)
    if not path.exists():
        raise InputError("文件不存在", file=str(path))
    if path.is_dir():
        raise InputError("这是一个目录，不是文件", file=str(path))
    data = path.read_bytes()
    kind = file_kind(path, data[:8192])
    if kind in ("xlsx", "xls"):
        sheets = [Sheet(path.name, name, cells, None, kind) for name, cells in _read_workbook(path, kind)]
    else:
        text, encoding = decode_bytes(data, path.name)
        if not text.strip():
            raise InputError("文件只有空白内容，没有可导入的数据", file=path.name)
        if "\x00" in text or sum(1 for ch in text[:4096] if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t") > 8:
            raise InputError("文件含有大量控制字符，不是文本表格，无法导入", file=path.name)
        sheets = [Sheet(path.name, None, _read_csv_text(text, path.name, path, encoding), encoding, "csv")]
    sheets = [s for s in sheets if s.cells.size and (s.cells != "").to_numpy().any()]
    if not sheets:
        raise InputError("文件中没有任何非空单元格，没有可导入的数据", file=path.name)
    return sheets, data


def _parse_one(text: str) -> float | None:
    """Slow path for one distinct text: full-width digits, thousands separators, %, units."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t in _MISSING_TOKENS:
        return np.nan
    t = t.replace(",", "").replace(" ", "").replace("\u3000", "").replace("_", "")
    if t.endswith("%"):
        t = t[:-1]
    if t.startswith("(") and t.endswith(")") and _NUMBER.match(t[1:-1]):  # accounting negatives
        t = "-" + t[1:-1]
    if t in _MISSING_TOKENS:
        return np.nan
    if _NUMBER.match(t):
        return float(t)
    return None


def factorize_rows(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes for the distinct rows of a frame of text columns, and those distinct rows — by
    combining per-column integer codes (much faster than factorising a MultiIndex of strings)."""
    combined = np.zeros(len(frame), dtype="int64")
    for column in frame.columns:
        codes, values = pd.factorize(frame[column].astype(object), use_na_sentinel=False)
        combined = pd.factorize(combined * (len(values) + 1) + codes)[0]  # re-compress: no overflow
    inverse, firsts = pd.factorize(combined)[0], None
    _, firsts = np.unique(inverse, return_index=True)
    distinct = frame.iloc[firsts].reset_index(drop=True).astype(object)
    return inverse.astype("int64"), distinct


def parse_values(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised: (values float64, missing mask, invalid mask). Missing = empty or a dash/ellipsis."""
    texts = texts.astype(object)
    values = np.array(pd.to_numeric(texts, errors="coerce").to_numpy(dtype="float64", na_value=np.nan), copy=True)
    failed = np.isnan(values)
    missing = np.zeros(len(texts), dtype=bool)
    invalid = np.zeros(len(texts), dtype=bool)
    if failed.any():
        pending = texts[failed]
        codes, uniques = pd.factorize(pending, use_na_sentinel=False)
        parsed = [_parse_one("" if u is None else str(u)) for u in uniques]
        ok = np.array([p is not None for p in parsed], dtype=bool)
        nums = np.array([np.nan if p is None else p for p in parsed], dtype="float64")
        idx = np.flatnonzero(failed)
        values[idx] = nums[codes]
        missing[idx] = ok[codes] & np.isnan(nums[codes])
        invalid[idx] = ~ok[codes]
    return values, missing, invalid

"""The enterprise registry (企业名录): validation, import from XLSX/CSV, listing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from qinggong.collect import codes
from qinggong.collect.creditcode import credit_code_problem, valid_credit_codes
from qinggong.collect.forms import SIZE_BY_NAME, SIZE_CLASSES
from qinggong.errors import InputError, QinggongError
from qinggong.store import Store, current_actor, now_utc

# Chinese header → column; English names are accepted as well.
REGISTRY_HEADERS = {
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "行业代码": "industry",
    "地区代码": "region",
    "规模": "size_class",
    "规上企业": "above_scale",
    "重点企业": "key_enterprise",
    "开业日期": "entry_date",
    "停业日期": "exit_date",
    "生成数据": "generated",
}
HEADER_OF = {v: k for k, v in REGISTRY_HEADERS.items()}
REQUIRED = ["credit_code", "name", "industry", "region", "size_class", "entry_date"]
GENERATED_PREFIX = "（生成）"
_TRUE = {"1", "true", "是", "y", "yes", "t", "√"}
_FALSE = {"0", "false", "否", "n", "no", "f", "", "nan", "none"}

_TYPES = {
    "credit_code": "TEXT",
    "name": "TEXT",
    "industry": "TEXT",
    "region": "TEXT",
    "size_class": "TEXT",
    "above_scale": "BOOLEAN",
    "key_enterprise": "BOOLEAN",
    "entry_date": "DATE",
    "exit_date": "DATE",
    "generated": "BOOLEAN",
    "updated_at": "TIMESTAMP",
    "updated_by": "TEXT",
}


def read_registry_file(path: str | Path) -> pd.DataFrame:
    """Read a registry XLSX/CSV as text columns named as in the database."""
    path = Path(path)
    if not path.is_file():
        raise InputError("文件不存在", file=str(path))
    try:
        if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
            frame = pd.read_excel(path, dtype=str, engine="calamine")
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        else:
            raise InputError("不支持的文件类型：请提供 .xlsx 或 .csv 企业名录", file=str(path))
    except InputError:
        raise
    except Exception as exc:  # unreadable workbook / encoding
        raise InputError(f"无法读取文件：{exc}", file=str(path)) from exc
    frame.attrs["file"] = str(path)
    return frame


def _bool(value, *, row: int, field: str, file: str | None) -> bool:
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"无法识别的是否值“{value}”：请填 是 或 否", file=file, row=row, field=field)


def _date(value, *, row: int, field: str, file: str | None, required: bool) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() in ("", "nan", "None", "NaT"):
        if required:
            raise InputError("必填项为空", file=file, row=row, field=field)
        return None
    try:
        return pd.Timestamp(str(value).strip()).date()
    except (ValueError, TypeError) as exc:
        raise InputError(f"日期“{value}”无法识别：请使用 2024-03-01 格式", file=file, row=row, field=field) from exc


def normalize_registry(frame: pd.DataFrame, *, file: str | None = None) -> pd.DataFrame:
    """Check every row; the first problem raises InputError naming row and field.

    The checks run on whole columns (each distinct industry, region, size, date or yes/no text
    is judged once; credit codes by `valid_credit_codes`): a national registry has hundreds of
    thousands of rows. Only when a row fails is `_check_rows` run, up to that row, to name its
    first problem exactly as a row-by-row check would."""
    file = file or frame.attrs.get("file")
    frame = frame.rename(columns={c: REGISTRY_HEADERS.get(str(c).strip(), str(c).strip()) for c in frame.columns})
    missing = [HEADER_OF[c] for c in REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"缺少必需的列：{'、'.join(missing)}", file=file, row=1)
    columns = [c for c in _TYPES if c not in ("updated_at", "updated_by")]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    small = codes.small_classes()

    def each(column: str, convert, default=None) -> tuple[np.ndarray, np.ndarray]:
        """`convert` on each distinct value of a column (or on `default` when the column is
        absent): the results by row, and where it raised InputError."""
        raw = frame[column] if column in frame.columns else pd.Series([default] * len(frame), dtype=object)
        rows, distinct = pd.factorize(raw.astype(object), use_na_sentinel=False)
        results, failed = [], []
        for value in distinct:
            try:
                results.append(convert(value))
                failed.append(False)
            except InputError:
                results.append(None)
                failed.append(True)
        out = np.empty(len(results), dtype=object)
        out[:] = results
        return out[rows], np.array(failed, dtype=bool)[rows]

    code, _ = each("credit_code", lambda v: str(v or "").strip().upper())
    name, _ = each("name", lambda v: str(v or "").strip())
    industry, _ = each("industry", lambda v: str(v or "").strip())
    region, _ = each("region", lambda v: str(v or "").strip())
    size, _ = each("size_class", lambda v: SIZE_BY_NAME.get(str(v or "").strip(), str(v or "").strip().upper()))
    entry, bad_entry = each("entry_date", lambda v: _date(v, row=0, field="", file=None, required=True))
    leave, bad_exit = each("exit_date", lambda v: _date(v, row=0, field="", file=None, required=False))
    flags = {c: each(c, lambda v: _bool(v, row=0, field="", file=None), default)
             for c, default in (("generated", ""), ("above_scale", "是"), ("key_enterprise", ""))}
    bad_region = pd.Series(region).isin([r for r in pd.unique(region) if codes.region_problem(r)]).to_numpy()
    both = ~(bad_entry | bad_exit) & pd.notna(leave)
    exit_before_entry = np.zeros(len(frame), dtype=bool)
    exit_before_entry[both] = pd.to_datetime(leave[both]).to_numpy() < pd.to_datetime(entry[both]).to_numpy()
    bad = (~valid_credit_codes(code.tolist()) | pd.Series(code).duplicated().to_numpy()
           | pd.Series(name).isin(["", "nan"]).to_numpy() | ~pd.Series(industry).isin(small).to_numpy() | bad_region
           | ~pd.Series(size).isin(list(SIZE_CLASSES)).to_numpy() | bad_entry | bad_exit | exit_before_entry
           | flags["generated"][1] | flags["above_scale"][1] | flags["key_enterprise"][1])
    if bad.any():
        first = int(np.argmax(bad))
        _check_rows(frame.iloc[: first + 1], file=file)  # raises for that row: the same checks, one row at a time
        raise QinggongError(f"企业名录第 {first + 2} 行未通过检查")  # not reached while both agree (tested)
    generated = flags["generated"][0].astype(bool)
    prefixed = generated & ~pd.Series(name).str.startswith(GENERATED_PREFIX).to_numpy()
    name = np.where(prefixed, GENERATED_PREFIX + pd.Series(name).astype(str), name)
    return pd.DataFrame({
        "credit_code": code, "name": name, "industry": industry, "region": region, "size_class": size,
        "above_scale": flags["above_scale"][0].astype(bool), "key_enterprise": flags["key_enterprise"][0].astype(bool),
        "entry_date": entry, "exit_date": leave, "generated": generated,
    }, columns=columns)


def _check_rows(frame: pd.DataFrame, *, file: str | None) -> None:
    """The row-by-row checks of `normalize_registry`: raise InputError for the first problem."""
    small = codes.small_classes()
    names = codes.industry_names()
    seen: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict(orient="records")):
        row = i + 2  # header is row 1
        code = str(rec.get("credit_code") or "").strip().upper()
        problem = credit_code_problem(code)
        if problem:
            raise InputError(problem, file=file, row=row, field=HEADER_OF["credit_code"])
        if code in seen:
            raise InputError(f"统一社会信用代码“{code}”与第 {seen[code]} 行重复", file=file, row=row, field=HEADER_OF["credit_code"])
        seen[code] = row
        name = str(rec.get("name") or "").strip()
        if not name or name == "nan":
            raise InputError("企业名称为空", file=file, row=row, field=HEADER_OF["name"])
        industry = str(rec.get("industry") or "").strip()
        if industry not in small:
            hint = f"（“{names[industry]}”不是小类）" if industry in names else ""
            raise InputError(
                f"行业代码“{industry}”不是 GB/T 4754-2017 的小类代码{hint}：请填 4 位小类代码，如 2110",
                file=file, row=row, field=HEADER_OF["industry"],
            )
        region = str(rec.get("region") or "").strip()
        problem = codes.region_problem(region)
        if problem:
            raise InputError(problem, file=file, row=row, field=HEADER_OF["region"])
        size = str(rec.get("size_class") or "").strip()
        size = SIZE_BY_NAME.get(size, size.upper())
        if size not in SIZE_CLASSES:
            raise InputError(
                f"规模“{rec.get('size_class')}”无法识别：可选 {'、'.join(SIZE_CLASSES.values())}",
                file=file, row=row, field=HEADER_OF["size_class"],
            )
        entry = _date(rec.get("entry_date"), row=row, field=HEADER_OF["entry_date"], file=file, required=True)
        leave = _date(rec.get("exit_date"), row=row, field=HEADER_OF["exit_date"], file=file, required=False)
        if leave is not None and leave < entry:
            raise InputError("停业日期早于开业日期", file=file, row=row, field=HEADER_OF["exit_date"])
        _bool(rec.get("generated", ""), row=row, field=HEADER_OF["generated"], file=file)
        _bool(rec.get("above_scale", "是"), row=row, field=HEADER_OF["above_scale"], file=file)
        _bool(rec.get("key_enterprise", ""), row=row, field=HEADER_OF["key_enterprise"], file=file)


def register_enterprises(
    store: Store, frame: pd.DataFrame, *, actor: str | None = None, file: str | None = None
) -> dict:
    """Add or update enterprises (all rows or none). Returns counts of new and updated rows."""
    clean = normalize_registry(frame, file=file)
    actor = actor or current_actor()
    clean["updated_at"] = now_utc()
    clean["updated_by"] = actor
    cols = list(_TYPES)
    with store.transaction():
        b = store.backend
        b.load_temp_table("qg_enterprise_stage", clean, _TYPES)
        # An enterprise registered again keeps its number: its reports are stored under it.
        b.execute("DROP TABLE IF EXISTS qg_enterprise_nos")
        b.execute("CREATE TEMP TABLE qg_enterprise_nos AS SELECT credit_code, enterprise_no FROM enterprise"
                  " WHERE credit_code IN (SELECT credit_code FROM qg_enterprise_stage)")
        existing = int(b.scalar("SELECT COUNT(*) FROM qg_enterprise_nos"))
        b.execute("DELETE FROM enterprise WHERE credit_code IN (SELECT credit_code FROM qg_enterprise_stage)")
        b.execute(
            f"INSERT INTO enterprise ({', '.join(cols)}, enterprise_no) SELECT {', '.join(f's.{c}' for c in cols)},"
            " COALESCE(i.enterprise_no, nextval('enterprise_no_seq')) FROM qg_enterprise_stage s"
            " LEFT JOIN qg_enterprise_nos i ON i.credit_code = s.credit_code"
        )
        b.execute("DROP TABLE IF EXISTS qg_enterprise_stage")
        b.execute("DROP TABLE IF EXISTS qg_enterprise_nos")
        store.record_audit(
            "enterprise.register",
            object_type="enterprise",
            file_name=file or frame.attrs.get("file"),
            rows_in=len(clean),
            rows_new=len(clean) - existing,
            rows_revised=existing,
            actor=actor,
        )
    return {"rows": len(clean), "new": len(clean) - existing, "updated": existing}


def list_enterprises(
    store: Store, *, industry: str | None = None, region: str | None = None, search: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    where, params = [], []
    if industry:
        where.append("industry LIKE ?")
        params.append(f"{industry}%")
    if region:
        prefix = region.rstrip("0") if region != "000000" else ""
        where.append("region LIKE ?")
        params.append(f"{prefix}%")
    if search:
        where.append("(name LIKE ? OR credit_code LIKE ?)")
        params += [f"%{search}%", f"%{search}%"]
    sql = "SELECT * FROM enterprise" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY credit_code"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return store.backend.fetch_df(sql, params)


def get_enterprise(store: Store, credit_code: str) -> dict:
    frame = store.backend.fetch_df("SELECT * FROM enterprise WHERE credit_code = ?", [credit_code.strip().upper()])
    if frame.empty:
        raise QinggongError(f"名录中没有统一社会信用代码为“{credit_code}”的企业：可用 qinggong enterprise list 查看")
    info = frame.iloc[0].to_dict()
    info["industry_name"] = codes.industry_names().get(info["industry"], "")
    info["size_name"] = SIZE_CLASSES.get(info["size_class"], info["size_class"])
    return info

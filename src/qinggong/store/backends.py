"""The two backends behind one small interface: an embedded DuckDB file and a PostgreSQL server.

SQL above this layer is written once, with `?` placeholders and types both engines accept
(BIGINT, TEXT, DOUBLE PRECISION, TIMESTAMP, BOOLEAN, sequences). The backend adapts the
placeholder style and does bulk loading the fast way for its engine (DataFrame scan on DuckDB,
COPY on PostgreSQL).
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd

from qinggong.errors import StoreError

POSTGRES_SCHEMES = ("postgresql", "postgres")


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qinggong" / "qinggong.duckdb"


def resolve_db_url(db: str | os.PathLike | None) -> str:
    """The store address: --db, else $QINGGONG_DB, else the default DuckDB file."""
    if db is None or str(db).strip() == "":
        db = os.environ.get("QINGGONG_DB") or str(default_db_path())
    return str(db).strip()


def describe_url(url: str) -> str:
    """The address with any password hidden, for messages and `qinggong info`."""
    if not is_postgres_url(url):
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        cred, host = netloc.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in cred else f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def is_postgres_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in POSTGRES_SCHEMES if "://" in url else False


class Backend:
    """What the store needs from an engine."""

    name: str
    url: str

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]: ...
    def fetch_df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame: ...
    def load_temp_table(
        self, name: str, frame: Any, column_types: dict[str, str], computed: dict[str, str] | None = None
    ) -> None:
        """Load `frame` (or what `for_staging` made of it) into a temporary table; `computed`
        fills columns from SQL expressions over the others."""

    def close(self) -> None: ...

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def analyze(self, table: str) -> None:
        """Refresh the planner's statistics of a table just filled (a no-op where the engine
        keeps them itself)."""

    @contextmanager
    def session(self) -> Iterator[None]:
        """The connection to this thread alone, without opening a transaction: for work on
        temporary tables (they are per connection) whose statements need no common snapshot.
        DuckDB scans a table created inside an open transaction from its transaction-local
        storage, about half as fast as a committed one: aggregating 2.9 million reports took
        twice as long inside a transaction."""
        with self._lock:
            yield

    def for_staging(self, frame: pd.DataFrame) -> Any:
        """`frame` in the form `staged` reads it, made now: a caller may make it on another
        thread while this one still works (on DuckDB an Arrow conversion of millions of rows)."""
        return frame

    @contextmanager
    def staged(self, name: str, frame: Any, column_types: dict[str, str]) -> Iterator[str]:
        """`frame` (or what `for_staging` made of it) readable in SQL as `name` (typed) for the
        duration of the block.

        The default copies it into a temporary table; DuckDB reads the frame in place instead,
        which for millions of rows saves a full copy.
        """
        self.load_temp_table(name, frame, column_types)
        try:
            yield name
        finally:
            self.execute(f"DROP TABLE IF EXISTS {name}")

    def fetchone(self, sql: str, params: Sequence[Any] | None = None) -> tuple | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.fetchone(sql, params)
        return row[0] if row else None


# DuckDB scans an Arrow table one record batch per thread: a frame converted whole is one batch,
# scanned (and inserted) on one core. Row-group sized batches let every thread take part: 2.9
# million rows of 13 numbers inserted in 0.83 s instead of 1.89 s on 2 cores.
_SCAN_BATCH_ROWS = 122_880


def _arrow_table(frame: pd.DataFrame):
    """The frame as an Arrow table (Arrow-backed text passes through without a copy), or None
    when a mixed-type object column does not convert: callers then fall back to a slower path."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def scannable(frame: Any):
    """What DuckDB scans fastest: an Arrow table in row-group sized batches (scanning pandas'
    Arrow-backed text as pandas converts every value to a Python object, per query); the frame
    itself when it does not convert (DuckDB's pandas scan copes with mixed types). Anything but a
    frame is taken as made already (`for_staging`)."""
    import pyarrow as pa

    if not isinstance(frame, pd.DataFrame):
        return frame
    table = _arrow_table(frame)
    if table is None:
        return frame
    if table.num_rows <= _SCAN_BATCH_ROWS:
        return table
    return pa.Table.from_batches(table.to_batches(max_chunksize=_SCAN_BATCH_ROWS), schema=table.schema)


def _csv_payload(frame: pd.DataFrame, chunk_rows: int = 200_000):
    """The frame as CSV for PostgreSQL's COPY, written by Arrow's C++ writer (a national batch is
    millions of rows: handing psycopg one Python tuple per row took 1.9 s for 445,746 reports).
    Every value is quoted and a NULL is an unquoted empty field, so NULL, empty text and a lone
    `\\.` stay apart. None when the frame does not convert to Arrow: the caller copies row by row."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    table = _arrow_table(frame)
    if table is None:
        return None
    options = pacsv.WriteOptions(include_header=False, quoting_style="all_valid")

    def chunks():
        for start in range(0, max(table.num_rows, 1), chunk_rows):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(table.slice(start, chunk_rows), sink, write_options=options)
            yield sink.getvalue().to_pybytes()

    return chunks()


class DuckDBBackend(Backend):
    name = "duckdb"

    def __init__(self, path: str, *, read_only: bool = False) -> None:
        import duckdb

        self.url = path
        self._depth = 0
        self._pinned = 0
        self._lock = threading.RLock()
        if path != ":memory:":
            target = Path(path).expanduser()
            if target.exists() and target.is_dir():
                raise StoreError(f"数据库路径“{path}”是一个目录，请指定文件路径，例如 {target / 'qinggong.duckdb'}")
            parent = target.parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"无法创建数据库目录“{parent}”：{exc.strerror or exc}") from exc
            if not os.access(parent, os.W_OK) and not read_only:
                raise StoreError(f"数据库目录“{parent}”不可写，请换一个路径（--db）或检查权限")
            if target.exists() and not os.access(target, os.W_OK) and not read_only:
                raise StoreError(f"数据库文件“{target}”不可写，请检查权限")
            path = str(target)
        try:
            # No extension may be fetched at run time: the machines have no network.
            config = {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
            self.con = duckdb.connect(path, read_only=read_only, config=config)
            # DuckDB would draw a progress bar into a command's output on queries over 2 s (the
            # cursors made for each call inherit the setting).
            self.con.execute("SET enable_progress_bar = false")
        except duckdb.IOException as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                raise StoreError(f"数据库文件“{path}”正被另一个进程使用（DuckDB 只允许一个写入进程）：{msg}") from exc
            raise StoreError(f"无法打开数据库文件“{path}”：{msg}") from exc
        except duckdb.Error as exc:
            raise StoreError(f"无法打开数据库文件“{path}”（可能不是 DuckDB 文件）：{exc}") from exc

    def _cursor(self):
        # DuckDB connections are not thread-safe; one cursor per call keeps web threads apart.
        # Temp tables belong to one cursor: transactions and sessions stay on the connection.
        return self.con if self._depth or self._pinned else self.con.cursor()

    @contextmanager
    def session(self) -> Iterator[None]:
        with self._lock:
            self._pinned += 1
            try:
                yield
            finally:
                self._pinned -= 1

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self._lock:
            self._cursor().execute(sql, params or [])

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._lock:
            self._cursor().executemany(sql, [list(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        with self._lock:
            return self._cursor().execute(sql, params or []).fetchall()

    def fetch_df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self._lock:
            frame = self._cursor().execute(sql, params or []).df()
        # ENUM columns (a report's status, migration 0013) come back as pandas categoricals:
        # they are read as the text they stand for, as from a TEXT column and from PostgreSQL.
        for column in [c for c, dtype in frame.dtypes.items() if isinstance(dtype, pd.CategoricalDtype)]:
            frame[column] = frame[column].astype(pd.StringDtype(na_value=np.nan))
        return frame

    def load_temp_table(
        self, name: str, frame: Any, column_types: dict[str, str], computed: dict[str, str] | None = None
    ) -> None:
        computed = computed or {}
        with self._lock:
            view = f"_qg_frame_{name}"
            self.con.register(view, scannable(frame))
            try:
                select = ", ".join(
                    f"CAST({computed.get(col, col)} AS {typ}) AS {col}" for col, typ in column_types.items()
                )
                self.con.execute(f"DROP TABLE IF EXISTS {name}")
                self.con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select} FROM {view}")
            finally:
                self.con.unregister(view)

    def for_staging(self, frame: pd.DataFrame) -> Any:
        return scannable(frame)

    @contextmanager
    def staged(self, name: str, frame: Any, column_types: dict[str, str]) -> Iterator[str]:
        with self._lock:
            view = f"_qg_frame_{name}"
            self.con.register(view, scannable(frame))
            try:
                select = ", ".join(f"CAST({col} AS {typ}) AS {col}" for col, typ in column_types.items())
                self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {select} FROM {view}")
                yield name
            finally:
                self.con.execute(f"DROP VIEW IF EXISTS {name}")
                self.con.unregister(view)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self.con.execute("BEGIN TRANSACTION")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self.con.execute("ROLLBACK")
                raise
            else:
                self._depth -= 1
                if outermost:
                    self.con.execute("COMMIT")

    def close(self) -> None:
        self.con.close()


_PLACEHOLDER = re.compile(r"\?")


def _to_pyformat(sql: str) -> str:
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


def _psycopg_query(sql: str, params: Sequence[Any] | None) -> tuple[str, Sequence[Any] | None]:
    """`?` placeholders as psycopg's `%s`; without parameters psycopg reads no placeholder, so the
    text goes as written (a `%` escaped there would reach the server as `%%`)."""
    return (_to_pyformat(sql), params) if params else (sql, None)


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.url = url
        self._depth = 0
        self._lock = threading.RLock()
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        # `schema` is ours, not libpq's: it selects the search_path (tests use one schema each).
        self.schema = query.pop("schema", None)
        if self.schema and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.schema):
            raise StoreError(f"数据库地址中的 schema“{self.schema}”不合法：只能包含字母、数字和下划线")
        conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, urlencode(query), ""))
        try:
            self.con = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            host = parts.hostname or "本机套接字"
            raise StoreError(
                f"无法连接 PostgreSQL（{describe_url(url)}，主机 {host}）：{str(exc).strip().splitlines()[0]}。"
                "请确认服务器已启动、地址和口令正确"
            ) from exc
        except psycopg.ProgrammingError as exc:
            raise StoreError(f"PostgreSQL 地址“{describe_url(url)}”格式不正确：{exc}") from exc
        with self.con.cursor() as cur:
            # The aggregation statements carry dozens of SUMs over a few hundred thousand rows:
            # LLVM compilation (PostgreSQL's default above a plan cost of 100,000) took longer
            # than running them (20,000 enterprises: the fine cells 2.1 s with JIT, 1.35 s without).
            cur.execute("SET jit = off")
            if self.schema:
                cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                cur.execute(f'SET search_path TO "{self.schema}"')

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self._lock, self.con.cursor() as cur:
            cur.execute(*_psycopg_query(sql, params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._lock, self.con.cursor() as cur:
            cur.executemany(_to_pyformat(sql), [list(r) for r in rows])

    def analyze(self, table: str) -> None:
        # Temporary tables are never analysed by autovacuum: without this the planner guesses
        # their size, and a guess far too small makes it join millions of rows by nested loops.
        self.execute(f"ANALYZE {table}")

    def fetchall(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
        with self._lock, self.con.cursor() as cur:
            cur.execute(*_psycopg_query(sql, params))
            return cur.fetchall() if cur.description else []

    def fetch_df(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self._lock, self.con.cursor() as cur:
            cur.execute(*_psycopg_query(sql, params))
            columns = [d.name for d in cur.description]
            frame = pd.DataFrame(cur.fetchall(), columns=columns)
        return frame

    def load_temp_table(
        self, name: str, frame: pd.DataFrame, column_types: dict[str, str], computed: dict[str, str] | None = None
    ) -> None:
        computed = computed or {}
        cols = [c for c in column_types if c not in computed]
        with self._lock, self.con.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
            ddl = ", ".join(f"{c} {t}" for c, t in column_types.items())
            cur.execute(f"CREATE TEMP TABLE {name} ({ddl})")
            payload = _csv_payload(frame[cols])
            if payload is not None:
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN (FORMAT csv)") as copy:
                    for chunk in payload:
                        copy.write(chunk)
            else:
                subset = frame[cols].astype(object).where(frame[cols].notna(), None)
                with cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in subset.itertuples(index=False, name=None):
                        copy.write_row(row)
            for col, expression in computed.items():
                cur.execute(f"UPDATE {name} SET {col} = {expression}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outermost = self._depth == 0
            self._depth += 1
            try:
                if outermost:
                    with self.con.transaction():
                        yield
                else:
                    yield
            finally:
                self._depth -= 1

    def close(self) -> None:
        self.con.close()


def connect(url: str, *, read_only: bool = False) -> Backend:
    if "://" in url:
        scheme = url.split("://", 1)[0].lower()
        if scheme in POSTGRES_SCHEMES:
            return PostgresBackend(url)
        if scheme in ("duckdb", "file"):
            return DuckDBBackend(url.split("://", 1)[1], read_only=read_only)
        raise StoreError(
            f"不支持的数据库地址“{describe_url(url)}”：请使用 DuckDB 文件路径（例如 data/qinggong.duckdb）"
            "或 postgresql://用户:口令@主机:端口/库名"
        )
    return DuckDBBackend(url, read_only=read_only)

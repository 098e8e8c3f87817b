"""Store: schema and migrations, the DuckDB and PostgreSQL backends, series, observations,
vintages and the audit log.

Imports only `qinggong.errors` (and the catalogs for labels); every later stage reads and
writes through `Store`. See docs/conventions.md for the series key.
"""

from qinggong.store.backends import default_db_path, describe_url, is_postgres_url, resolve_db_url
from qinggong.store.keys import NATIONAL, NOT_APPLICABLE, SeriesKey
from qinggong.store.repository import STATUS_CODES, Store, WriteResult, current_actor, now_utc

__all__ = [
    "NATIONAL",
    "NOT_APPLICABLE",
    "STATUS_CODES",
    "SeriesKey",
    "Store",
    "WriteResult",
    "current_actor",
    "default_db_path",
    "describe_url",
    "is_postgres_url",
    "now_utc",
    "resolve_db_url",
]

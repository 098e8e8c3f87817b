"""Schema migrations for both backends.

Migrations are the numbered `.sql` files in `store/migrations/`, applied in order and recorded
in `schema_migrations`. A later stage that needs tables (enterprise microdata, plan dispatch,
accounts) adds its own numbered file; the same file must run on DuckDB and PostgreSQL. A file
named `NNNN_name.duckdb.sql` or `NNNN_name.postgresql.sql` runs on that engine only (recorded
under the same version on both, so the numbering stays one sequence).
"""

from __future__ import annotations

from datetime import datetime, timezone
from importlib import resources

from qinggong.store.backends import Backend


ENGINES = ("duckdb", "postgresql")


def available_migrations(engine: str | None = None) -> list[tuple[str, str]]:
    """(version, script) in order; engine-specific files only for `engine` (empty script otherwise)."""
    folder = resources.files("qinggong.store") / "migrations"
    found: dict[str, str] = {}
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql")):
        stem = name.removesuffix(".sql")
        version, _, only = stem.rpartition(".") if stem.rsplit(".", 1)[-1] in ENGINES else (stem, "", "")
        script = (folder / name).read_text(encoding="utf-8")
        found.setdefault(version, "")
        if not only or only == engine:
            found[version] += script + "\n"
    return sorted(found.items())


def _statements(script: str) -> list[str]:
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def applied_migrations(backend: Backend) -> list[str]:
    backend.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
    )
    return [row[0] for row in backend.fetchall("SELECT version FROM schema_migrations ORDER BY version")]


def migrate(backend: Backend) -> list[str]:
    """Apply what is missing; returns the versions applied now."""
    done = set(applied_migrations(backend))
    applied = []
    for version, script in available_migrations(backend.name):
        if version in done:
            continue
        with backend.transaction():
            for statement in _statements(script):
                backend.execute(statement)
            backend.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                [version, datetime.now(timezone.utc).replace(tzinfo=None)],
            )
        applied.append(version)
    return applied


def schema_version(backend: Backend) -> str | None:
    versions = applied_migrations(backend)
    return versions[-1] if versions else None

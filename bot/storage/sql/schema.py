"""The bundled schema migrations, per SQL dialect."""

from __future__ import annotations

import re
from importlib import resources

from bot.errors import StoreError

DIALECTS = ("sqlite", "postgres")
MIGRATION_RE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations(dialect: str = "sqlite") -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration for `dialect`, in order.

    `migrations/NNN_name.sql` is SQL both dialects run; `migrations/<dialect>/NNN_name.sql`
    replaces it for that dialect where the two differ (types, identity columns). The
    default files are SQLite's.
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}")
    root = resources.files("bot.storage").joinpath("migrations")
    found: dict[int, tuple[int, str, str]] = {}
    folders = [root] if dialect == "sqlite" else [root, root.joinpath(dialect)]
    for folder in folders:  # later folders override earlier ones
        for entry in folder.iterdir():
            match = MIGRATION_RE.match(entry.name)
            if match:
                version = int(match.group(1))
                found[version] = (version, match.group(2), entry.read_text("utf-8"))
    return [found[version] for version in sorted(found)]


def pending_migrations(current: int, dialect: str) -> list[tuple[int, str, str]]:
    """The migrations a database at schema version `current` still needs, in order."""
    known = migrations(dialect)
    latest = known[-1][0] if known else 0
    if current > latest:
        raise StoreError(
            f"the database has schema version {current}, newer than this prepbot knows "
            f"({latest}); upgrade prepbot"
        )
    return [migration for migration in known if migration[0] > current]


SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
)

"""The default Store: SQLite through aiosqlite (WAL, foreign keys, numbered migrations).

`core` holds the connection and the batched commit, `migrate` the schema upgrades; the
operations themselves are the SQL stores' shared ones (`bot.storage.sql`).
"""

from bot.storage.sql.schema import migrations
from bot.storage.sqlite.core import SqliteStore
from bot.storage.sqlite.migrate import apply_migrations

__all__ = ["SqliteStore", "apply_migrations", "migrations"]

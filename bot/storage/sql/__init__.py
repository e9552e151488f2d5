"""What the SQL stores share: the schema, row codecs and every operation written once.

SQLite (`bot.storage.sqlite`) and PostgreSQL (`bot.storage.postgres`) keep the same schema
shape, so each operation is written once here, one module per aggregate, as SQL with `?`
placeholders and, where it takes several statements, as a script (`core.Script`) that
each store runs in its own way. The stores keep only their connections, transactions and
migrations.
"""

from bot.storage.sql.core import POSTGRES, SQLITE, Dialect, Script, numbered
from bot.storage.sql.schema import migrations, pending_migrations
from bot.storage.sql.store import SqlStore

__all__ = [
    "POSTGRES",
    "SQLITE",
    "Dialect",
    "Script",
    "SqlStore",
    "migrations",
    "numbered",
    "pending_migrations",
]

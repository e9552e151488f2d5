"""Stores behind the Store protocol, chosen by DATABASE_URL."""

from __future__ import annotations

from bot.errors import ConfigError
from bot.ports import Store
from bot.storage.memory import MemoryStore
from bot.storage.sqlite import SqliteStore


def sqlite_path(database_url: str) -> str:
    """The file path of `sqlite:///relative.db` or `sqlite:////absolute.db`."""
    if not database_url.startswith("sqlite://"):
        raise ConfigError("DATABASE_URL: expected sqlite:///path/to/prepbot.db")
    rest = database_url.removeprefix("sqlite://")
    rest = rest.split("?", 1)[0]
    if rest in ("", "/", "/:memory:"):
        return ":memory:"
    if not rest.startswith("/"):
        raise ConfigError("DATABASE_URL: expected sqlite:///path (three slashes)")
    return rest[1:]


async def open_store(database_url: str) -> Store:
    """Open the store for `sqlite:///path` or `memory://`; postgresql is not supported yet."""
    if database_url.startswith("memory:"):
        return MemoryStore()
    if database_url.startswith("sqlite:"):
        return await SqliteStore.open(sqlite_path(database_url))
    if database_url.startswith(("postgresql:", "postgres:")):
        raise ConfigError(
            "DATABASE_URL: postgresql is not supported yet; use sqlite:///prepbot.db"
        )
    raise ConfigError("DATABASE_URL: expected sqlite:///path or memory://")


__all__ = ["MemoryStore", "SqliteStore", "Store", "open_store", "sqlite_path"]

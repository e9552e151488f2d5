"""Consistent copies of the SQLite database, and putting one back (PostgreSQL: pgdump).

`backup` uses SQLite's online backup API, which copies a consistent snapshot page by page
while the bot keeps reading and writing (WAL readers never block writers). `restore`
takes the exclusive lock on `<db>.lock` (see bot.storage.lock): every running store holds
a shared lock on it, so a restore while the bot runs is refused rather than corrupting it.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from bot.errors import NotFoundError, StoreError
from bot.storage.lock import DatabaseLock

log = logging.getLogger(__name__)


def connect_existing(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection to a SQLite file that must exist already (never creates one)."""
    if not path.is_file():
        raise NotFoundError(f"no database at {path}")
    mode = "ro" if readonly else "rw"
    try:
        return sqlite3.connect(f"file:{path.resolve().as_posix()}?mode={mode}", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from exc


def _check_database(conn: sqlite3.Connection, path: Path) -> int:
    """The schema version of a sound prepbot database; raises otherwise."""
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        if not ok or ok[0] != "ok":
            raise StoreError(f"{path} failed the integrity check: {ok[0] if ok else '?'}")
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a prepbot database: {exc}") from exc
    return int(row[0] or 0)


def backup(db_path: str | Path, dest: str | Path, *, overwrite: bool = False) -> Path:
    """Copy the live database to `dest` consistently; safe while the bot runs."""
    source_path, dest_path = Path(db_path), Path(dest)
    if dest_path.exists() and not overwrite:
        raise StoreError(f"{dest_path} exists; use --force to overwrite it, or choose another name")
    if dest_path.resolve() == source_path.resolve():
        raise StoreError("the backup must go to a different file than the database")
    source = connect_existing(source_path, readonly=False)
    try:
        dest_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(dest_path)
        try:
            source.backup(target)
            # A self-contained file: no -wal beside it to lose when it is copied around.
            target.execute("PRAGMA journal_mode = DELETE")
            version = _check_database(target, dest_path)
        finally:
            target.close()
    except sqlite3.Error as exc:
        raise StoreError(f"backup failed: {exc}") from exc
    finally:
        source.close()
    log.info("backed up %s to %s (schema version %d)", source_path, dest_path, version)
    return dest_path


def restore(src: str | Path, db_path: str | Path) -> None:
    """Replace the database with the backup `src`; refused while any store has it open."""
    source_path, target_path = Path(src), Path(db_path)
    if source_path.exists() and target_path.exists() and source_path.samefile(target_path):
        raise StoreError(
            f"{source_path} is the live database itself; restore from a backup copy "
            "(prepbot db backup PATH makes one)"
        )
    source = connect_existing(source_path, readonly=True)
    try:
        version = _check_database(source, source_path)
        lock = DatabaseLock(target_path)
        lock.acquire(exclusive=True)
        try:
            target = sqlite3.connect(target_path)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            lock.release()
    except sqlite3.Error as exc:
        raise StoreError(f"restore failed: {exc}") from exc
    finally:
        source.close()
    log.info("restored %s from %s (schema version %d)", target_path, source_path, version)

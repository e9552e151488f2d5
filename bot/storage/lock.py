"""A lock file beside the database telling a running bot from a restore.

Every open SqliteStore holds a *shared* `flock` on `<db>.lock` for its lifetime (the bot,
and the console practice mode alongside it). `restore` needs the *exclusive* lock, which
it cannot get while any store is open, so it refuses instead of overwriting a live
database. The kernel drops the lock when a process dies, so a stale file is harmless.
On Windows (no flock) the lock is always exclusive: one process per database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from bot.errors import StoreError


def lock_path(db_path: str | Path) -> Path:
    return Path(f"{db_path}.lock")


class DatabaseLock:
    """A shared or exclusive, non-blocking lock on `<db>.lock`."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path(db_path)
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self, *, exclusive: bool) -> None:
        if self._file is not None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            _lock(handle, exclusive)
        except OSError as exc:
            handle.close()
            if exclusive:
                raise StoreError(
                    f"the database {self.path.with_suffix('')} is in use (is the bot "
                    "running?); stop it first"
                ) from exc
            raise StoreError(
                f"the database {self.path.with_suffix('')} is locked by a restore in progress"
            ) from exc
        self._file = handle

    def release(self) -> None:
        if self._file is None:
            return
        try:
            _unlock(self._file)
        finally:
            self._file.close()
            self._file = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes], exclusive: bool) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes], exclusive: bool) -> None:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        fcntl.flock(handle.fileno(), mode | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


__all__ = ["DatabaseLock", "lock_path"]

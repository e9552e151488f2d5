"""Console mode logging: the screen holds the session, the log goes to a file."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

LOG_NAME = "prepbot-practice.log"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path(database_file: str | None) -> Path | None:
    """`prepbot-practice.log` beside a SQLite database file; None without one."""
    if not database_file or database_file == ":memory:":
        return None
    return Path(database_file).expanduser().resolve().parent / LOG_NAME


def console_logging(database_file: str | None) -> Path | None:
    """Move the root logger's output to a file (same level and filters) and keep only
    WARNING and above on the terminal; returns the file, or None when it cannot be opened
    (then only warnings reach the screen)."""
    root = logging.getLogger()
    filters = [f for handler in root.handlers for f in handler.filters]
    screen = logging.StreamHandler()
    screen.setLevel(logging.WARNING)
    screen.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [screen]
    path = log_path(database_file)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            file = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            path = None
        else:
            file.setFormatter(logging.Formatter(FORMAT))
            handlers.append(file)
    for handler in handlers:
        for found in filters:
            handler.addFilter(found)
    root.handlers[:] = handlers
    if path is not None:
        log.info("console practice; logging to %s", path)
    return path

"""Backups of a PostgreSQL database with PostgreSQL's own tools, `pg_dump` and `pg_restore`.

A backup is one file in pg_dump's custom format (compressed, restorable table by table).
The tools get the URL without its password (that goes in PGPASSWORD, so it shows neither
in `ps` nor in a message), and query parameters libpq does not know (asyncpg passes them to
the server as settings, e.g. `search_path`) become `-c` options in PGOPTIONS.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.config import database_password, redact_url
from bot.errors import NotFoundError, StoreError

log = logging.getLogger(__name__)

#: Query parameters libpq itself understands; the others are server settings.
LIBPQ_PARAMS = frozenset({
    "application_name", "channel_binding", "client_encoding", "connect_timeout", "dbname",
    "fallback_application_name", "gssencmode", "host", "hostaddr", "keepalives",
    "keepalives_count", "keepalives_idle", "keepalives_interval", "krbsrvname", "options",
    "passfile", "port", "requirepeer", "service", "sslcert", "sslcompression", "sslcrl",
    "sslkey", "sslmode", "sslpassword", "sslrootcert", "target_session_attrs", "user",
})


def find_pg_program(name: str) -> Path | None:
    """A PostgreSQL program: the newest Debian cluster version's (which also serves older
    servers), else the one on PATH; None when neither exists."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1]
    found = shutil.which(name)
    return Path(found) if found else None


def _program(name: str) -> Path:
    found = find_pg_program(name)
    if found is None:
        raise StoreError(
            f"{name} not found: install PostgreSQL's client programs (Debian: apt-get install "
            "postgresql-client, the server's major version or newer), or use your host's "
            "managed backups; `prepbot db copy DATABASE_URL sqlite:///copy.db` also copies "
            "every table into a SQLite file"
        )
    return found


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL for a libpq program, without the password, and the environment it needs."""
    parts = urlsplit(database_url)
    env = dict(os.environ)
    password = database_password(database_url)
    if password:
        env["PGPASSWORD"] = password
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    netloc = f"{user}@{host}" if user else host
    known: list[tuple[str, str]] = []
    settings: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        (known if key in LIBPQ_PARAMS else settings).append((key, value))
    if settings:
        extra = " ".join(f"-c {key}={_escape_option(value)}" for key, value in settings)
        env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} {extra}".strip()
    url = urlunsplit(parts._replace(netloc=netloc, query=urlencode(known)))
    return url, env


def _escape_option(value: str) -> str:
    """PGOPTIONS separates options by spaces: escape a space (and a backslash) in a value."""
    return value.replace("\\", "\\\\").replace(" ", "\\ ")


async def _run(argv: list[str], env: dict[str, str], database_url: str, what: str) -> None:
    """Run a tool to its end; StoreError with its last lines (password-free) on failure."""
    from bot.storage.postgres import scrub

    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        lines = (err or out).decode(errors="replace").strip().splitlines()[-5:]
        detail = scrub(" | ".join(lines), database_url) or f"exit status {process.returncode}"
        raise StoreError(f"{what} failed: {detail}")


async def backup_postgres(database_url: str, dest: str | Path, *, overwrite: bool = False) -> Path:
    """Dump the database to `dest` (pg_dump's custom format); safe while the bot runs."""
    dest_path = Path(dest)
    if dest_path.exists() and not overwrite:
        raise StoreError(f"{dest_path} exists; use --force to overwrite it, or choose another name")
    pg_dump = _program("pg_dump")
    url, env = libpq_target(database_url)
    dest_path.parent.mkdir(parents=True, exist_ok=True)
    partial = dest_path.with_name(dest_path.name + ".partial")
    argv = [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges",
            f"--file={partial}", f"--dbname={url}"]
    try:
        await _run(argv, env, database_url, "pg_dump")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    # Renamed only when complete, so a failed dump never replaces a good backup.
    partial.replace(dest_path)
    log.info("backed up %s to %s", redact_url(database_url), dest_path)
    return dest_path


async def restore_postgres(src: str | Path, database_url: str) -> None:
    """Replace the database's prepbot tables with the dump `src`, in one transaction;
    refused while a bot is connected to it."""
    from bot.storage.postgres import connect, running_bots

    source = Path(src)
    if not source.is_file():
        raise NotFoundError(f"no backup at {source}")
    pg_restore = _program("pg_restore")
    conn = await connect(database_url)
    try:
        if await running_bots(conn):
            raise StoreError(
                f"a running prepbot is connected to {redact_url(database_url)}; stop every "
                "bot process before restoring"
            )
    finally:
        await conn.close()
    url, env = libpq_target(database_url)
    argv = [str(pg_restore), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", f"--dbname={url}", str(source)]
    await _run(argv, env, database_url, "pg_restore")
    log.info("restored %s from %s", redact_url(database_url), source)

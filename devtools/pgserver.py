"""A throwaway PostgreSQL server for the tests and benchmarks, or the one
PREPBOT_TEST_DATABASE_URL names.

The server runs from Debian's `postgresql` package (`/usr/lib/postgresql/<v>/bin`; `initdb`
and `pg_ctl` on PATH work too) in a fresh temporary directory on a free loopback port,
with durability off (nothing in it outlives the test session). `initdb` refuses to run as
root, so under root the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.storage.pgdump import find_pg_program

__all__ = [
    "INSTALL_HINT",
    "REQUIRE_ENV",
    "URL_ENV",
    "Server",
    "drop_schema",
    "find_bindir",
    "free_port",
    "fresh_database",
    "required",
    "start",
    "unavailable_reason",
]

#: Set (to anything but "" or "0") to make a missing PostgreSQL fail the tests, not skip.
REQUIRE_ENV = "PREPBOT_REQUIRE_POSTGRES"
#: A server to use instead of starting one; its user must be allowed to CREATE DATABASE.
URL_ENV = "PREPBOT_TEST_DATABASE_URL"
INSTALL_HINT = "apt-get install -y postgresql (Debian), or set PREPBOT_TEST_DATABASE_URL"


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: the newest Debian cluster version, or PATH."""
    found = find_pg_program("initdb")
    return found.parent if found else None


def unavailable_reason() -> str | None:
    """Why no PostgreSQL can be had for the tests, or None when one can."""
    if os.environ.get(URL_ENV):
        return None
    if find_bindir() is None:
        return f"PostgreSQL not found (no initdb): {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run initdb as"
    return None


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: `url` reaches its `postgres` database as a superuser."""

    url: str
    bindir: Path | None = None
    datadir: Path | None = None
    home: Path | None = None
    user: str | None = None
    schema: str = field(default_factory=lambda: f"prepbot_test_{os.getpid()}")
    reset_sql: str = ""

    def _as_user(self, *argv: str) -> list[str]:
        if self.user is None:
            return list(argv)
        return ["runuser", "-u", self.user, "--", *argv]

    def stop(self) -> None:
        if self.bindir is None or self.datadir is None:
            return
        try:
            subprocess.run(
                self._as_user(str(self.bindir / "pg_ctl"), "-D", str(self.datadir),
                              "-m", "immediate", "-w", "stop"),
                check=False, capture_output=True, timeout=60,
            )
        finally:
            if self.home is not None:
                shutil.rmtree(self.home, ignore_errors=True)


def start() -> Server:
    """Start a server (or adopt PREPBOT_TEST_DATABASE_URL); RuntimeError saying why not."""
    given = os.environ.get(URL_ENV)
    if given:
        return Server(url=given)
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(f"PostgreSQL not found (no initdb): {INSTALL_HINT}")
    user = "postgres" if os.geteuid() == 0 else None
    # Not under pytest's tmp_path: its parents are private to root, and the server's
    # user must reach the directory.
    home = Path(tempfile.mkdtemp(prefix="prepbot-pg-"))
    datadir = home / "data"
    server = Server(url="", bindir=bindir, datadir=datadir, home=home, user=user)
    try:
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(home, entry.pw_uid, entry.pw_gid)
        port = free_port()
        run = [
            *server._as_user(str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres",
                             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
                             "--no-sync"),
        ]
        _checked(run, "initdb")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={home} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        _checked(
            server._as_user(str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options,
                            "-l", str(home / "server.log"), "-w", "-t", "60", "start"),
            "pg_ctl start",
            log=home / "server.log",
        )
    except BaseException:
        server.stop()
        raise
    server.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    return server


def _checked(argv: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        if log is not None and log.exists():
            detail += log.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{what} failed ({done.returncode}): " + " | ".join(detail))


def _in_schema(url: str, schema: str) -> str:
    """The URL with `search_path` set to `schema` (asyncpg passes unknown query parameters
    to the server as settings)."""
    parts = urlsplit(url)
    query = "&".join(filter(None, [parts.query, f"search_path={schema}"]))
    return urlunsplit(parts._replace(query=query))


@asynccontextmanager
async def fresh_database(server: Server) -> AsyncIterator[str]:
    """A migrated, empty database for one test, as a URL.

    One schema per session (its URL's search_path names it) is migrated by the first
    test; after each test its rows are deleted and its id sequences restarted, which takes
    milliseconds where a CREATE DATABASE, a new schema's migrations or a TRUNCATE take a
    quarter of a second or more each.
    """
    from bot.storage.postgres import PostgresStore

    url = _in_schema(server.url, server.schema)
    if not server.reset_sql:
        admin = await asyncpg.connect(server.url)
        try:
            await admin.execute(f"DROP SCHEMA IF EXISTS {server.schema} CASCADE")
            await admin.execute(f"CREATE SCHEMA {server.schema}")
        finally:
            await admin.close()
        store = await PostgresStore.open(url)
        await store.close()
        server.reset_sql = await _reset_sql(server)
    try:
        yield url
    finally:
        admin = await asyncpg.connect(server.url)
        try:
            await admin.execute(server.reset_sql)
        finally:
            await admin.close()


async def _reset_sql(server: Server) -> str:
    """Statements that empty the test schema's tables and restart its sequences."""
    admin = await asyncpg.connect(server.url)
    try:
        tables = await admin.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 "
            "AND tablename <> 'schema_version'",
            server.schema,
        )
        sequences = await admin.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = $1 AND c.relkind = 'S'",
            server.schema,
        )
    finally:
        await admin.close()
    statements = [f"DELETE FROM {server.schema}.{row[0]}" for row in tables]
    statements += [f"SELECT setval('{server.schema}.{row[0]}', 1, false)" for row in sequences]
    return "; ".join(statements)


async def drop_schema(server: Server) -> None:
    """Remove the test schema (a server the tests did not start outlives them)."""
    admin = await asyncpg.connect(server.url)
    try:
        await admin.execute(f"DROP SCHEMA IF EXISTS {server.schema} CASCADE")
    finally:
        await admin.close()

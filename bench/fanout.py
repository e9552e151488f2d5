"""`python -m bench fanout` (`make bench-fanout`): exactly-once posting across processes.

Starts a throwaway PostgreSQL (the tests' helper), a fake Telegram that enforces ~30
sends/s (429 retry_after 1 beyond it), subscribes N group chats due in the same minute,
then runs 3 real `prepbot run` processes in webhook mode on that one database and waits
until every chat has its daily post. A second run SIGKILLs one process mid fan-out; the
others finish after the dead process's outbox lease runs out, with at most the one send
that was in flight posted twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bench.common import ROOT, emit
from bot.domain.models import ChatKey, OutboxRow, OutboxStatus
from bot.grading.lexical import LexicalGrader
from bot.services import build_services
from bot.storage.postgres import PostgresStore
from devtools import pgserver
from tests.adapters.telegram.fake_api import FakeTelegram, RecordedCall
from tests.factories import FakeClock, standard_bank

TOKEN = "987654321:" + "F" * 35
#: Telegram's overall limit the fake enforces.
SENDS_PER_SECOND = 30
#: First group chat id; chat n is FIRST_CHAT - n (supergroup ids are negative).
FIRST_CHAT = -1_000_000_000_000
POST_METHODS = ("sendmessage", "sendpoll")
#: What `prepbot run` logs once its adapters, tick and senders are up.
RUNNING = "prepbot is running on"


@dataclass
class FanoutResult:
    """What the fake platform saw: daily posts per chat, 429s, timings."""

    chats: int
    posts_per_chat: Counter[int] = field(default_factory=Counter)
    rate_limited: int = 0
    seconds: float = 0.0
    killed_at_posts: int | None = None
    #: Outbox rows claimed but not yet sent when the process was killed: id -> lease end.
    leased_at_kill: dict[int, datetime] = field(default_factory=dict)
    #: Of those, rows sent only once their lease had run out: the dead process's rows,
    #: taken over by another (a live holder sends within its lease).
    taken_over: int = 0
    exit_codes: list[int | None] = field(default_factory=list)
    unsent_rows: int = 0

    @property
    def posts(self) -> int:
        return sum(self.posts_per_chat.values())

    @property
    def duplicates(self) -> int:
        return sum(count - 1 for count in self.posts_per_chat.values() if count > 1)

    @property
    def missed(self) -> int:
        return self.chats - len(self.posts_per_chat)


def _database_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def chat_id(n: int) -> int:
    return FIRST_CHAT - n


async def subscribe(url: str, chats: int, now: datetime) -> None:
    """`chats` Telegram groups subscribed (as /schedule set does) a minute before this
    minute, so all of them are due now; reveals come 12 h later, after the run."""
    due = now.replace(second=0, microsecond=0)
    store = await PostgresStore.open(url, max_connections=8)
    try:
        services = build_services(
            store, standard_bank(), FakeClock(due - timedelta(minutes=1)), LexicalGrader()
        )

        async def one(n: int) -> None:
            chat = ChatKey("telegram", str(chat_id(n)))
            await services.users.ensure_chat(chat, None, f"group {n}")
            await services.schedules.subscribe(chat, f"{due:%H:%M}", "UTC", reveal_delay=12)

        for start in range(0, chats, 50):
            await asyncio.gather(*(one(n) for n in range(start, min(chats, start + 50))))
    finally:
        await store.close()


def _is_post(call: RecordedCall) -> bool:
    """A daily post as the platform saw it: the accepted send carrying its keyboard
    (a long question's earlier parts have none)."""
    return (
        call.method.lower() in POST_METHODS
        and call.status == 200
        and bool(call.params.get("reply_markup"))
    )


def bot_env(
    url: str, fake: FakeTelegram, lease_seconds: int, port: int, content: Path | None
) -> dict[str, str]:
    """The environment of one `prepbot run`: webhook mode (one poller per token is all
    Telegram allows), the fake as Bot API, a short tick."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_WEBHOOK_URL="https://fanout.invalid/telegram",
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
        SCHEDULER_TICK_SECONDS="2",
        OUTBOX_LEASE_SECONDS=str(lease_seconds),
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    if content is not None:
        env["CONTENT_DIR"] = str(content)
    return env


async def run_fanout(
    server_url: str,
    *,
    chats: int,
    processes: int = 3,
    kill_at: float | None = None,
    lease_seconds: int = 300,
    timeout: float = 600.0,
    workdir: Path | None = None,
    content: Path | None = None,
) -> FanoutResult:
    """One fan-out on a new database of `server_url`'s server.

    `kill_at`: SIGKILL the first process once this fraction of the chats has its post.
    `content`: the bots' CONTENT_DIR (default: the shipped bank).
    """
    name = f"fanout_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    url = _database_url(server_url, name)
    result = FanoutResult(chats)
    fake = FakeTelegram(TOKEN, sends_per_second=SENDS_PER_SECOND)
    await fake.start()
    logs = Path(workdir or tempfile.mkdtemp(prefix="prepbot-fanout-"))
    procs: list[asyncio.subprocess.Process] = []
    try:
        store = await PostgresStore.open(url)  # migrate once, before the bots race to
        await store.close()
        for index in range(processes):
            log = (logs / f"bot{index}.log").open("wb")
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", "run",
                    cwd=logs,  # no .env there
                    env=bot_env(url, fake, lease_seconds, pgserver.free_port(), content),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=log,
                    stderr=asyncio.subprocess.STDOUT,
                )
            )
            log.close()
        # Every bot is up before the posts fall due, so all of them take part.
        await _wait_running(logs, procs, timeout)
        await subscribe(url, chats, datetime.now(UTC))
        result = await _watch(url, fake, procs, result, kill_at, timeout)
        await asyncio.sleep(3.0)  # a late duplicate would show up now
        result.posts_per_chat = _posts(fake)
        result.seconds = _span(fake)
        result.rate_limited = fake.rate_limited
        rows = await _outbox(url)
        result.unsent_rows = sum(1 for row in rows if row.status is not OutboxStatus.SENT)
        result.taken_over = sum(
            1
            for row in rows
            if row.id in result.leased_at_kill
            and row.sent_at is not None
            and row.sent_at >= result.leased_at_kill[row.id]
        )
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        result.exit_codes = [proc.returncode for proc in procs]
        await fake.close()
        admin = await asyncpg.connect(server_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()
    return result


async def _wait_running(
    logs: Path, procs: list[asyncio.subprocess.Process], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(range(len(procs)))
    while waiting:
        for index in list(waiting):
            if RUNNING in (logs / f"bot{index}.log").read_text(errors="replace"):
                waiting.discard(index)
            elif procs[index].returncode is not None or time.monotonic() > deadline:
                tail = (logs / f"bot{index}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"bot {index} did not start:\n{tail}")
        await asyncio.sleep(0.2)


def _span(fake: FakeTelegram) -> float:
    """Seconds from the first post's request to the last post's answer."""
    posts = [call for call in fake.calls if _is_post(call)]
    if not posts:
        return 0.0
    return max(call.finished or call.started for call in posts) - min(c.started for c in posts)


def _posts(fake: FakeTelegram) -> Counter[int]:
    return Counter(int(call.params["chat_id"]) for call in fake.calls if _is_post(call))


async def _watch(
    url: str,
    fake: FakeTelegram,
    procs: list[asyncio.subprocess.Process],
    result: FanoutResult,
    kill_at: float | None,
    timeout: float,
) -> FanoutResult:
    """Wait until every chat has a post (or the timeout); kill a process on the way."""
    started = time.monotonic()
    seen = 0
    posted: set[int] = set()
    while len(posted) < result.chats:
        if time.monotonic() - started > timeout:
            break
        if all(proc.returncode is not None for proc in procs):
            break  # every bot is gone: nothing more will come
        calls = fake.calls[seen:]
        seen += len(calls)
        for call in calls:
            if _is_post(call):
                posted.add(int(call.params["chat_id"]))
        due_kill = kill_at is not None and len(posted) >= kill_at * result.chats
        if due_kill and result.killed_at_posts is None:
            procs[0].kill()
            result.killed_at_posts = len(posted)
            killed = datetime.now(UTC)
            result.leased_at_kill = {
                row.id: row.next_attempt_at
                for row in await _outbox(url)
                if row.status is OutboxStatus.PENDING and row.next_attempt_at > killed
            }
        await asyncio.sleep(0.1)
    return result


async def _outbox(url: str) -> list[OutboxRow]:
    store = await PostgresStore.open(url, max_connections=1)
    try:
        return await store.outbox_rows("telegram")
    finally:
        await store.close()


def report(prefix: str, result: FanoutResult) -> None:
    emit(f"{prefix}.chats", result.chats, "chats")
    emit(f"{prefix}.posts", result.posts, "posts")
    emit(f"{prefix}.duplicates", result.duplicates, "posts")
    emit(f"{prefix}.missed", result.missed, "chats")
    emit(f"{prefix}.seconds", result.seconds, "s")
    emit(f"{prefix}.rate_limited", result.rate_limited, "429s")
    if result.killed_at_posts is not None:
        emit(f"{prefix}.killed_at_posts", result.killed_at_posts, "posts")
        emit(f"{prefix}.leased_at_kill", len(result.leased_at_kill), "rows")
        emit(f"{prefix}.taken_over", result.taken_over, "rows")


async def bench_fanout(chats: int = 2000, processes: int = 3) -> None:
    """Both runs on one throwaway server: no kill (default lease), then one SIGKILL
    (a 60 s lease, so the dead process's rows come back within the run)."""
    reason = pgserver.unavailable_reason()
    if reason is not None:
        emit("fanout.skipped", 1, "flag")
        print(f"# fanout skipped: {reason}", file=sys.stderr)
        return
    server = await asyncio.to_thread(pgserver.start)
    try:
        with tempfile.TemporaryDirectory(prefix="prepbot-fanout-") as work:
            plain = Path(work, "plain")
            plain.mkdir()
            result = await run_fanout(server.url, chats=chats, processes=processes,
                                      workdir=plain)
            report("fanout", result)
            killed = Path(work, "kill")
            killed.mkdir()
            result = await run_fanout(
                server.url, chats=chats, processes=processes, kill_at=0.3, lease_seconds=60,
                workdir=killed,
            )
            report("fanout_kill", result)
            if os.environ.get("FANOUT_KEEP_LOGS"):
                with contextlib.suppress(OSError):
                    for log in sorted(Path(work).glob("*/*.log")):
                        print(f"# {log}:\n{log.read_text()[-3000:]}", file=sys.stderr)
    finally:
        await asyncio.to_thread(server.stop)


if __name__ == "__main__":
    # `python -m bench.fanout [CHATS]`: too slow for `make bench`, so not one of its figures.
    logging.basicConfig(level=logging.WARNING)
    # SIGTERM as Ctrl-C: the bots and the server are stopped on the way out.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    asyncio.run(bench_fanout(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
    emit("bench.done", 1, "flag")

"""leaderboard_1m: top 10 this week for the largest group, over 1,000,000 stored answers."""

from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import CONTENT, bulk, emit
from bot.content.bank import load_bank
from bot.domain.models import ChatKey, UserKey
from bot.domain.streaks import state_of
from bot.grading.lexical import LexicalGrader
from bot.ports import Store
from bot.services import build_services
from bot.storage.sqlite import SqliteStore

ANSWERS = 1_000_000
USERS = 10_000
GROUPS = 1_000
DAYS = 90
LARGEST_SHARE = 0.05
RUNS = 200
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class _Clock:
    def now(self) -> datetime:
        return NOW


async def populate(path: Path) -> None:
    store = await SqliteStore.open(path)
    await store.close()
    rng = random.Random(7)
    stamp = int(NOW.timestamp())
    bulk(
        path,
        "INSERT INTO users (platform, user_id, display_name, created_at) "
        "VALUES ('discord', ?, ?, ?)",
        ((str(u), f"user {u}", stamp) for u in range(USERS)),
    )
    bulk(
        path,
        "INSERT INTO chats (platform, chat_id, group_id, title, seed, created_at) "
        "VALUES ('discord', ?, ?, '', ?, ?)",
        ((str(g), str(g), f"c{g}", stamp) for g in range(GROUPS)),
    )
    start = int((NOW - timedelta(days=DAYS)).timestamp())
    span = int(timedelta(days=DAYS).total_seconds())
    largest = int(ANSWERS * LARGEST_SHARE)
    verdicts = (("correct", 1.0, 10), ("partial", 0.5, 5), ("incorrect", 0.1, 1))
    answered_days: dict[int, set[date]] = defaultdict(set)

    def rows() -> Iterator[tuple[object, ...]]:
        for n in range(ANSWERS):
            group = 0 if n < largest else 1 + n % (GROUPS - 1)
            # Members of a group are a stable subset of users, as in a real server.
            user = (group * 37 + rng.randrange(200)) % USERS
            verdict, score, points = verdicts[rng.randrange(3)]
            at = start + rng.randrange(span)
            answered_days[user].add(datetime.fromtimestamp(at, UTC).date())
            yield (
                user + 1,
                group + 1,
                f"discord:{group}",
                f"quiz:{n}:0",
                f"dl/q{n % 50}",
                verdict,
                score,
                points,
                at,
            )

    bulk(
        path,
        "INSERT INTO answers (user_ref, chat_ref, group_key, kind, target, item_id, "
        "verdict, score, points, forfeited, answered_at) "
        "VALUES (?, ?, ?, 'quiz', ?, ?, ?, ?, ?, 0, ?)",
        rows(),
    )
    # The answer path keeps each user's streak as of their last answer (UTC here: no
    # schedules, so every zone is the default); store what it would have stored.
    bulk(
        path,
        "INSERT INTO streaks (user_ref, zone, last_day, current, best, freezes) "
        "VALUES (?, 'UTC', ?, ?, ?, ?)",
        (
            (user + 1, state.last_day.isoformat(), state.current, state.best, state.freezes)
            for user, days in answered_days.items()
            if (state := state_of(days)) is not None
        ),
    )


async def bench_leaderboard() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "board.db"
        await populate(path)
        store = await SqliteStore.open(path)
        try:
            timings = await leaderboard_timings(store)
        finally:
            await store.close()
    emit("leaderboard_1m.p95_ms", p95(timings), "ms")


async def leaderboard_timings(store: Store) -> list[float]:
    """RUNS timings (ms) of the largest group's weekly top 10 on a populated store."""
    services = build_services(store, load_bank(CONTENT), _Clock(), LexicalGrader())
    chat, caller = ChatKey("discord", "0"), UserKey("discord", "5")
    view = await services.leaderboards.leaderboard(chat, caller, "week")
    assert len(view.rows) == 10
    timings = []
    for _ in range(RUNS):
        begin = time.perf_counter()
        await services.leaderboards.leaderboard(chat, caller, "week")
        timings.append((time.perf_counter() - begin) * 1000)
    return timings


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[int(len(ordered) * 0.95) - 1]

"""stats_card.first_ms (first picture, matplotlib import included, in a fresh interpreter)
and stats_card.p95_ms (warm, uncached): the /stats picture of a user with 1,000 answers
over 26 weeks."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench.common import ROOT, emit
from bot.domain.models import UserKey
from bot.domain.streaks import bridged_days, local_days
from bot.services.results import (
    CARD_WEEKS,
    FORECAST_DAYS,
    StatsCard,
    StatsView,
    StreakView,
    TagStat,
)

ANSWERS = 1_000
RUNS = 40
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TAGS = ("cnn", "transformers", "regularization", "optimization", "rnn", "python", "sql",
        "statistics", "probability", "linear-algebra", "systems", "ml-basics")


def demo_card(variant: int = 0) -> StatsCard:
    """A user with ANSWERS answers over the grid's 26 weeks (`variant` changes the totals,
    so each run draws anew instead of hitting the cache)."""
    rng = random.Random(7)
    today = NOW.date()
    start = today - timedelta(days=today.weekday(), weeks=CARD_WEEKS - 1)
    span = (NOW - datetime.combine(start, datetime.min.time(), UTC)).total_seconds()
    times = [NOW - timedelta(seconds=rng.random() * span) for _ in range(ANSWERS)]
    days = local_days(times, "UTC")
    counts = Counter(rng.choice(TAGS) for _ in range(ANSWERS))
    tags = []
    for tag, answered in counts.most_common():
        correct = rng.randint(0, answered)
        partial = rng.randint(0, answered - correct)
        tags.append(TagStat(tag, answered, (correct + partial / 2) / answered, correct, partial))
    view = StatsView(
        user=UserKey("telegram", "1"),
        answered=ANSWERS,
        accuracy=0.62,
        by_tag=tuple(tags),
        streak=StreakView(12, 31, 1, True),
        due_reviews=17,
        points_week=84 + variant,
        timezone="UTC",
    )
    return StatsCard(
        view=view,
        today=today,
        start=start,
        answered_days=tuple(sorted(days)),
        freeze_days=tuple(sorted(bridged_days(days))),
        forecast=tuple(rng.randrange(12) for _ in range(FORECAST_DAYS)),
        points_all=6_420 + variant,
        rank=3,
        ranked=24,
        last_answer=max(times),
    )


async def _first_child() -> None:
    from bot.presentation.charts import stats_png

    card = demo_card()
    start = time.perf_counter()
    png = await stats_png(card)
    elapsed = (time.perf_counter() - start) * 1000
    assert png is not None
    print(json.dumps({"first_ms": elapsed}))


async def bench_stats_card() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.stats_card", "--first-child"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=300,
    )
    emit("stats_card.first_ms", json.loads(done.stdout.strip().splitlines()[-1])["first_ms"], "ms")
    from bot.presentation.charts import stats_png

    await stats_png(demo_card(-1))  # warm: matplotlib imported, fonts cached
    timings = []
    for run in range(RUNS):
        card = demo_card(run)
        start = time.perf_counter()
        png = await stats_png(card)
        timings.append((time.perf_counter() - start) * 1000)
        assert png is not None
    emit("stats_card.p95_ms", statistics.quantiles(timings, n=20)[-1], "ms")
    start = time.perf_counter()
    await stats_png(demo_card(0))
    emit("stats_card.cached_ms", (time.perf_counter() - start) * 1000, "ms")


if __name__ == "__main__" and "--first-child" in sys.argv:
    asyncio.run(_first_child())

"""`python -m bench` (`make bench`): every figure of the core benchmarks as JSON lines."""

from __future__ import annotations

import asyncio
import logging
import platform
import sys

from bench.answers import bench_answers
from bench.common import emit
from bench.decks import bench_decks
from bench.leaderboard import bench_leaderboard
from bench.postgres import bench_postgres
from bench.startup import bench_memory, bench_startup
from bench.stats_card import bench_stats_card
from bench.tick import bench_tick

BENCHES = {
    "startup": bench_startup,
    "tick": bench_tick,
    "answers": bench_answers,
    "leaderboard": bench_leaderboard,
    "stats_card": bench_stats_card,
    "decks": bench_decks,
    # answer_path and leaderboard_1m again on PostgreSQL, when a server can be had.
    "postgres": bench_postgres,
}


async def main(names: list[str]) -> None:
    for name in names:
        await BENCHES[name]()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(
        f"# {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    # `python -m bench tick answers` runs just those; no names runs every benchmark.
    chosen = sys.argv[1:] or [*BENCHES, "memory"]
    unknown = sorted(set(chosen) - {*BENCHES, "memory"})
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from "
                 f"{', '.join([*BENCHES, 'memory'])}")
    asyncio.run(main([name for name in chosen if name in BENCHES]))
    if "memory" in chosen:
        bench_memory()
    emit("bench.done", 1, "flag")

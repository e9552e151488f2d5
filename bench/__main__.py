"""`python -m bench` (`make bench`): every figure of the core benchmarks as JSON lines."""

from __future__ import annotations

import asyncio
import logging
import platform
import sys
from collections.abc import Awaitable, Callable

from bench.answers import bench_answers
from bench.common import emit
from bench.decks import bench_decks
from bench.fanout10k import bench_fanout_10k
from bench.faults import bench_faults
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
#: Minutes long (10k chats at the platforms' limits), so run by name only:
#: `python -m bench fanout_10k` (FANOUT_CHATS=1000 for a quick one), `python -m bench faults`.
ON_REQUEST: dict[str, Callable[[], Awaitable[None]]] = {
    "fanout_10k": bench_fanout_10k,
    "faults": bench_faults,
}


async def main(names: list[str]) -> None:
    for name in names:
        await (BENCHES[name] if name in BENCHES else ON_REQUEST[name])()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(
        f"# {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    # `python -m bench tick answers` runs just those; no names runs every benchmark.
    chosen = sys.argv[1:] or [*BENCHES, "memory"]
    unknown = sorted(set(chosen) - {*BENCHES, *ON_REQUEST, "memory"})
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; choose from "
                 f"{', '.join([*BENCHES, *ON_REQUEST, 'memory'])}")
    asyncio.run(main([name for name in chosen if name in BENCHES or name in ON_REQUEST]))
    if "memory" in chosen:
        bench_memory()
    emit("bench.done", 1, "flag")

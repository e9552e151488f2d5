"""`python -m bench` (`make bench`): every figure of the core benchmarks as JSON lines."""

from __future__ import annotations

import asyncio
import logging
import platform
import sys

from bench.answers import bench_answers
from bench.common import emit
from bench.leaderboard import bench_leaderboard
from bench.startup import bench_memory, bench_startup
from bench.tick import bench_tick


async def main() -> None:
    await bench_startup()
    await bench_tick()
    await bench_answers()
    await bench_leaderboard()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    print(
        f"# {platform.processor() or platform.machine()}, Python {sys.version.split()[0]}",
        file=sys.stderr,
    )
    asyncio.run(main())
    bench_memory()
    emit("bench.done", 1, "flag")

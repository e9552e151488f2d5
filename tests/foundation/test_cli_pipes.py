"""CLI output into a pipe whose reader left (`prepbot ... | head`): no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import EXIT_BROKEN_PIPE

ROOT = Path(__file__).resolve().parents[2]


def run_into_closed_pipe(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `python -m bot ARGS` with stdout a pipe nobody reads (closed at once)."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    env |= {"CONTENT_DIR": str(ROOT / "content"), "DATABASE_URL": f"sqlite:///{cwd / 'p.db'}"}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before prepbot writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=120,
            cwd=cwd,
            env=env,
            check=False,
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["content", "stats", "--json"],
        ["content", "stats"],
        ["grade-eval", str(ROOT / "tests" / "data" / "grading.yaml"), "--split", "dev"],
        ["content", "schema"],
    ],
)
def test_closed_pipe_ends_quietly(args: list[str], tmp_path: Path) -> None:
    code, err = run_into_closed_pipe(args, tmp_path)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert "Exception ignored" not in err, err
    assert code == EXIT_BROKEN_PIPE

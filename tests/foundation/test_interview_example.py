"""`make interview-example`: the README's example report is the script's output."""

from __future__ import annotations

import asyncio
from pathlib import Path

from devtools.interview_example import END, START, as_text, play

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_example_is_what_the_script_writes() -> None:
    example = as_text(asyncio.run(play()))
    assert "Follow-up on question" in example and "(late" in example
    assert "Overall" in example and "Study next" in example
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(START, 1)[1].split(END, 1)[0]
    assert block == f"\n```text\n{example}```\n"
    assert (ROOT / "docs" / "interview-example.txt").read_text(encoding="utf-8") == example

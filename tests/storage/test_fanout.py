"""Three real `prepbot run` processes on one PostgreSQL database post each due chat once,
through a fake Telegram that enforces its rate limit (the small `bench.fanout`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.fanout import run_fanout
from devtools import pgserver

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]


def one_deck(tmp_path: Path) -> Path:
    """A bank of one shipped deck: each process starts in a second, not in several."""
    content = tmp_path / "content"
    (content / "decks").mkdir(parents=True)
    shutil.copy(ROOT / "content" / "tags.yaml", content)
    shutil.copy(ROOT / "content" / "decks" / "dl-essentials-41-60.yaml", content / "decks")
    return content


async def test_three_processes_post_to_200_chats_exactly_once(
    postgres_server: pgserver.Server, tmp_path: Path
) -> None:
    result = await run_fanout(
        postgres_server.url,
        chats=200,
        processes=3,
        timeout=150,
        workdir=tmp_path,
        content=one_deck(tmp_path),
    )
    logs = "\n".join(path.read_text()[-1500:] for path in sorted(tmp_path.glob("bot*.log")))
    assert (result.missed, result.duplicates) == (0, 0), logs
    assert result.posts == 200 and result.unsent_rows == 0
    assert result.exit_codes == [0, 0, 0], logs

"""No answer is acknowledged before it is durable: a process answering through the services
(group commits on SQLite) is killed with SIGKILL after acknowledgements, and every answer it
acknowledged is in the database."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.domain.models import UserKey
from bot.storage.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
ACKNOWLEDGED = 300

# Answers with 32 concurrent users (so writes share commits), each printed (flushed) once
# the service returned it as counted: what a user would have been told.
CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from bot.content.bank import load_bank
    from bot.domain.models import ChatKey, UserKey, daily_target
    from bot.grading.lexical import LexicalGrader
    from bot.services import build_services
    from bot.storage.sqlite import SqliteStore

    class Clock:
        def now(self):
            return datetime.now(UTC).replace(microsecond=0)

    async def main():
        store = await SqliteStore.open(Path(sys.argv[1]))
        services = build_services(store, load_bank(Path(sys.argv[2])), Clock(), LexicalGrader())
        chats = [ChatKey("telegram", f"-{n}") for n in range(20)]
        targets = {}
        for chat in chats:
            await services.daily.today(chat)
            targets[chat] = daily_target((await store.latest_daily_post(chat)).id)
        jobs = [(UserKey("telegram", str(u)), chat) for u in range(10_000) for chat in chats]

        async def worker(offset):
            for user, chat in jobs[offset::32]:
                result = await services.answers.answer(
                    user, chat, "Dropout zeroes random activations during training."
                )
                if result.counted:
                    print(user.user_id, targets[chat], flush=True)

        await asyncio.gather(*(worker(n) for n in range(32)))

    asyncio.run(main())
    """
)


@pytest.mark.timeout(300)
async def test_every_acknowledged_answer_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "answers.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(ROOT / "content")],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert child.stdout is not None
    acknowledged: list[tuple[str, str]] = []
    try:
        for line in child.stdout:
            user_id, target = line.split()
            acknowledged.append((user_id, target))
            if len(acknowledged) >= ACKNOWLEDGED:
                break
        child.kill()  # SIGKILL: no clean shutdown, no final commit
    finally:
        child.kill()
        child.wait()
    # Lines already printed but not read yet were acknowledged too.
    for line in child.stdout.read().splitlines():
        user_id, target = line.split()
        acknowledged.append((user_id, target))
    child.stdout.close()
    assert len(acknowledged) >= ACKNOWLEDGED
    store = await SqliteStore.open(path)
    try:
        missing = [
            (user_id, target)
            for user_id, target in acknowledged
            if await store.get_answer(UserKey("telegram", user_id), target) is None
        ]
    finally:
        await store.close()
    assert missing == []

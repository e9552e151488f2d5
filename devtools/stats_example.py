"""`make stats-example`: docs/stats-example.png, the /stats picture of a demo user who
practised on the bundled decks for 26 weeks (an in-memory store, the real services)."""

from __future__ import annotations

import asyncio
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.content.bank import load_bank
from bot.domain.models import ChatKey, UserKey
from bot.errors import PrepbotError
from bot.grading.lexical import LexicalGrader
from bot.presentation.charts import stats_png
from bot.services import build_services
from bot.storage.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
USER = UserKey("console", "demo")
CHAT = ChatKey("console", "demo")


@dataclass
class _Clock:
    current: datetime

    def now(self) -> datetime:
        return self.current


async def main(target: Path) -> None:
    bank = load_bank(ROOT / "content")
    clock = _Clock(NOW - timedelta(weeks=26))
    services = build_services(MemoryStore(), bank, clock, LexicalGrader())
    await services.users.ensure_user(USER, "demo")
    await services.users.ensure_chat(CHAT, None, "demo")
    rng = random.Random(20)
    while clock.current < NOW:
        if rng.random() < 0.7:  # most days, a short quiz
            start = await services.quizzes.start(USER, CHAT, None, rng.randint(1, 4))
            question = start.question
            while question is not None:
                item = bank.item(question.item_id)
                good = rng.random() < 0.65
                try:
                    if question.options:  # a 1-based number, picked at random
                        picks = range(1, len(question.options) + 1)
                        result = await services.quizzes.answer(
                            USER, CHAT, choice=rng.choice(picks)
                        )
                    else:
                        # Its key points in the user's words (a pasted reference earns nothing).
                        points = [p.text for p in item.key_points] if item is not None else []
                        text = ". ".join(points) if good and points else "not sure, sorry"
                        result = await services.quizzes.answer(USER, CHAT, text)
                except PrepbotError:
                    break
                question = result.next_question
        clock.current += timedelta(days=1)
    clock.current = NOW
    png = await stats_png(await services.stats.card(USER, CHAT))
    if png is None:
        sys.exit("the picture could not be drawn (see the log)")
    target.write_bytes(png)
    print(target)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs/stats-example.png"))

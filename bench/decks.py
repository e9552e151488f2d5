"""deck_upload_2k.s: a 2,000-item CSV uploaded in a chat (parsed, validated, stored in
SQLite, added to the chat's bank view) until the first quiz question from it is ready.
The median of a few uploads, each a new deck."""

from __future__ import annotations

import csv
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, emit
from bot.content.bank import load_bank
from bot.domain.models import ChatKey, UserKey
from bot.grading.lexical import LexicalGrader
from bot.ports import SystemClock
from bot.services import build_services
from bot.storage import open_store

ITEMS = 2_000
RUNS = 5
ADMIN = UserKey("telegram", "1")
CHAT = ChatKey("telegram", "-100")


def deck_csv(items: int = ITEMS) -> bytes:
    """A CSV with a header, HTML and maths in some answers, tags and difficulty columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "answer", "tags", "difficulty"])
    for n in range(1, items + 1):
        answer = (
            f"<p>Answer {n}: the <b>key idea</b> is \\(x_{{{n}}}\\) and then some words that "
            f"make this a realistic paragraph of explanation for card {n}.</p>"
            if n % 3 == 0
            else f"Answer {n}: a plain explanation of the concept, two sentences long. "
            f"It mentions item {n} and why it matters."
        )
        level = ("easy", "medium", "hard")[n % 3]
        writer.writerow([f"What is concept number {n}?", answer, f"topic{n % 12}", level])
    return out.getvalue().encode()


async def bench_decks() -> None:
    data = deck_csv()
    bank = load_bank(ROOT / "content")
    with tempfile.TemporaryDirectory(prefix="prepbot-bench-decks-") as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            services = build_services(store, bank, SystemClock(), LexicalGrader())
            timings: list[float] = []
            for run in range(RUNS):
                started = time.perf_counter()
                added = await services.decks.add(
                    ADMIN, CHAT, data, f"deck{run}.csv", admin=True
                )
                quiz = await services.quizzes.start(
                    ADMIN, CHAT, added.info.id, 5, replace_active=True
                )
                assert quiz.question is not None and quiz.question.item_id.startswith(
                    added.info.id
                )
                timings.append(time.perf_counter() - started)
        finally:
            await store.close()
    emit("deck_upload_2k.bytes", len(data), "bytes")
    emit("deck_upload_2k.s", statistics.median(timings), "s")

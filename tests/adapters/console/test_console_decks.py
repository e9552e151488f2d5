"""`/deck` in the console: the console user adds a local file, quizzes on it, removes it."""

from __future__ import annotations

import re
from pathlib import Path

from bot.ports import Store
from tests.adapters.console.test_console import make_services, run_console
from tests.factories import standard_bank

CSV = (
    "question,answer\n"
    "What does CPU stand for?,Central processing unit\n"
    "What does RAM stand for?,Random access memory\n"
    "What is a kernel?,Answer here\n"
)


async def test_add_quiz_list_show_export_and_remove(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "hardware.csv"
    path.write_text(CSV, encoding="utf-8")
    services = make_services(store, standard_bank())
    _, out = await run_console(services, f"/deck add {path}\n/deck list\n")
    added = r"Added deck (hardware-[0-9a-f]{4}) \(hardware\.csv, read as csv\): 3 items"
    found = re.search(added, out)
    assert found, out
    deck_id = found.group(1)
    assert "1 item has no answer yet" in out
    _, out = await run_console(
        services,
        f"/quiz {deck_id} 2\n/stop\n/deck show {deck_id}\n/deck export {deck_id}\n"
        f"/deck remove {deck_id}\n/deck remove {deck_id}\n/deck list\n",
    )
    assert "What does" in out
    assert f"{deck_id}/" in out and "Central processing unit" in out  # show and export
    assert "To confirm, send" in out and f"Removed deck {deck_id}." in out
    assert "This chat has no decks of its own yet." in out


async def test_a_malformed_file_is_answered_with_its_problems(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(
        "id: x\ntitle: X\nlanguage: en\nlicense: MIT\nattribution: me\nitems:\n"
        "  - id: x/a\n    type: mcq\n    question: Which?\n",
        encoding="utf-8",
    )
    services = make_services(store, standard_bank())
    _, out = await run_console(services, f"/deck add {path}\n/deck list\n")
    assert "nothing was stored" in out and "line 7" in out
    assert "This chat has no decks of its own yet." in out

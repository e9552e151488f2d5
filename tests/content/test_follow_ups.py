"""The `follow_up` key point field: the checker's rules and the shipped bank's coverage."""

from __future__ import annotations

from pathlib import Path

from bot.content.bank import load_bank
from bot.content.schema import ItemType
from tests.content.test_checker import GOOD_ITEM, find, problems, write_deck

ROOT = Path(__file__).resolve().parents[2]


def with_follow_up(text: str, item: str = GOOD_ITEM) -> str:
    return item.format(deck="d").replace(
        "        keywords: [random, zero]\n",
        f"        keywords: [random, zero]\n        follow_up: \"{text}\"\n",
    )


def test_a_follow_up_question_passes(tmp_path: Path) -> None:
    write_deck(tmp_path, "d.yaml", with_follow_up("Which units are zeroed, and how often?"))
    assert problems(tmp_path) == []


def test_a_follow_up_must_be_a_question_of_its_own(tmp_path: Path) -> None:
    write_deck(tmp_path, "d.yaml", with_follow_up("Tell me about the zeroing."))
    problem = find(problems(tmp_path), "a follow-up is a question")
    assert problem.field == "items[0].key_points[0].follow_up"
    write_deck(tmp_path, "d.yaml", with_follow_up("What is dropout?"))
    find(problems(tmp_path), "repeats the question")


def test_follow_ups_only_on_open_and_coding_items(tmp_path: Path) -> None:
    flashcard = with_follow_up("Which units?").replace(
        "    type: open\n",
        "    type: flashcard\n    term: dropout\n    definition: Zeroing units.\n",
    )
    write_deck(tmp_path, "d.yaml", flashcard)
    find(problems(tmp_path), "only open and coding items have follow-ups")


def test_the_shipped_bank_has_forty_open_items_with_a_follow_up() -> None:
    bank = load_bank(ROOT / "content")
    with_follow_up_items = [
        item
        for item in bank.items.values()
        if item.type is ItemType.OPEN and any(point.follow_up for point in item.key_points)
    ]
    assert len(with_follow_up_items) >= 40
    for item in with_follow_up_items:
        for point in item.key_points:
            if point.follow_up:
                assert point.follow_up.endswith("?") and point.follow_up != item.question
        assert item.source is not None  # the source fields stay

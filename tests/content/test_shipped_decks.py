"""Every shipped deck validates, and the bank covers every seed question by its `source`."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.bank import load_bank
from bot.content.checker import check_paths
from bot.content.schema import ItemType
from bot.domain.choices import options_for

CONTENT = Path(__file__).resolve().parents[2] / "content"

SEED_000 = "000_bb0412ce525cf09f.txt"
SEED_001 = "001_a79333548d03db9e.txt"
SEED_002 = "002_356b8c9b38feb751.txt"
SEED_003 = "003_d817a2ab010243f1.txt"


def refs_by_document() -> dict[str, set[str]]:
    bank = load_bank(CONTENT)
    found: dict[str, set[str]] = defaultdict(set)
    for item in bank.items.values():
        if item.source is not None:
            found[item.source.document].add(item.source.ref)
    return found


def test_every_shipped_deck_passes_the_checker() -> None:
    result = check_paths([CONTENT])
    assert [str(p) for p in result.errors] == []
    assert result.decks, "no decks found"
    assert all(deck.published for _, deck in result.decks)


def test_example_deck_validates() -> None:
    result = check_paths([CONTENT / "examples"], tags=None)
    assert [str(p) for p in result.errors] == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (SEED_000, {f"Q{n}" for n in range(1, 45)}),
        (SEED_003, {f"Q{n}" for n in range(1, 16)}),
        (SEED_001, {f"Q{n}" for n in range(41, 61)}),
        (SEED_002, {f"card {n}" for n in range(1, 66)}),
    ],
)
def test_seed_questions_are_all_covered(document: str, expected: set[str]) -> None:
    covered = refs_by_document().get(document, set())
    assert sorted(expected - covered) == []
    assert sorted(covered - expected) == []


def test_items_are_complete_for_their_type() -> None:
    bank = load_bank(CONTENT)
    for item in bank.items.values():
        assert 2 <= len(item.key_points) <= 6, item.id
        assert item.tags, item.id
        if item.type is ItemType.FLASHCARD:
            assert item.term and item.definition, item.id
        if "translated-from-ru" in item.flags:
            assert item.source is not None and item.source.document == SEED_002


def test_stats_json_counts_the_whole_bank(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "stats", "--json", str(CONTENT)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats) == {
        "total",
        "by_deck",
        "by_type",
        "by_tag",
        "by_difficulty",
        "rubric_warnings",
    }
    assert stats["total"] >= 144
    assert sum(stats["by_deck"].values()) == stats["total"]
    assert sum(stats["by_type"].values()) == stats["total"]
    assert stats["by_type"].get("coding", 0) >= 10


def test_committed_json_schema_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "schema"]) == 0
    generated = json.loads(capsys.readouterr().out)
    committed = json.loads((CONTENT / "deck.schema.json").read_text())
    assert committed == generated, "run `prepbot content schema -o content/deck.schema.json`"


def test_every_shipped_flashcard_offers_four_choices_mostly_on_its_topic() -> None:
    bank = load_bank(CONTENT)
    cards = [item for item in bank.items.values() if item.type is ItemType.FLASHCARD]
    on_topic = 0
    for card in cards:
        options = options_for(card, bank.items.values(), card.id)
        assert len(set(options)) == 4 and card.definition in options, card.id
        others = {o.definition: o for o in cards if o.id != card.id}
        wrong = [others[text] for text in options if text != card.definition]
        on_topic += all(set(o.tags) & set(card.tags) for o in wrong)
    # Distractors share a tag with the card for nearly every card (the tagging's purpose).
    assert on_topic >= len(cards) - 2

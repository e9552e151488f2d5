"""The labelled answers in `tests/data/grading.yaml` meet the grading issue's bar."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.content.bank import load_bank
from bot.grading.evaluate import LABELS, load_examples

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "grading.yaml"


def test_labelled_set_is_large_varied_and_resolvable() -> None:
    bank = load_bank(ROOT / "content")
    dataset = load_examples(LABELLED, bank, "all")
    assert dataset.unresolved == []  # every entry names an item the bank has
    examples = dataset.examples
    assert len(examples) >= 150
    assert len({example.item.id for example in examples}) >= 40
    documents = {example.item.source.document for example in examples if example.item.source}
    every_seed = {item.source.document for item in bank.items.values() if item.source}
    assert documents == every_seed and len(documents) >= 4  # answers from every seed
    labels = Counter(example.label for example in examples)
    assert set(labels) == set(LABELS)
    splits = Counter(example.split for example in examples)
    assert set(splits) == {"dev", "test"}
    assert 0.25 <= splits["test"] / len(examples) <= 0.4  # about a third held out

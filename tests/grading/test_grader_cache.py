"""The grader's caches change nothing: a warm grader shared by every answer grades each
(item, answer) pair exactly as a fresh grader with empty caches does."""

from __future__ import annotations

import random
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.content.bank import load_bank
from bot.content.schema import Item
from bot.grading import claims
from bot.grading.evaluate import load_examples
from bot.grading.lexical import LexicalGrader

ROOT = Path(__file__).resolve().parents[2]
PAIRS = 300


def _misspelt(text: str, rng: random.Random) -> str:
    """Swap two letters in some long words, so the fuzzy (typo) matching runs."""
    out = []
    for word in text.split():
        if len(word) > 5 and rng.random() < 0.3:
            at = rng.randrange(1, len(word) - 2)
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        out.append(word)
    return " ".join(out)


def _pairs() -> tuple[list[Item], list[tuple[Item, str]]]:
    bank = load_bank(ROOT / "content")
    examples = load_examples(ROOT / "tests" / "data" / "grading.yaml", bank, "all").examples
    rng = random.Random(19)
    chosen = rng.sample(examples, PAIRS // 3)
    items = sorted(bank.items.values(), key=lambda item: item.id)
    pairs = [(example.item, example.answer) for example in chosen]
    pairs += [(example.item, _misspelt(example.answer, rng)) for example in chosen]
    pairs += [(rng.choice(items), example.answer) for example in chosen]  # other questions
    rng.shuffle(pairs)
    return list(bank.items.values()), pairs


@pytest.mark.parametrize("corpus", [False, True], ids=["plain", "corpus"])
def test_a_warm_grader_grades_as_a_fresh_one(corpus: bool) -> None:
    items, pairs = _pairs()
    warm = LexicalGrader(corpus=items if corpus else ())
    # Twice through, so the second pass runs on caches the first filled (and on answers the
    # grader has seen with other items).
    warm_results = [warm.grade(item, text) for item, text in pairs]
    again = [warm.grade(item, text) for item, text in pairs]
    assert again == warm_results
    fresh_results = []
    for item, text in pairs:
        claims._PIECES.clear()  # read()'s cache of words too (typo caches are the grader's)
        fresh = LexicalGrader()
        if corpus:
            fresh._idf, fresh._default_idf = warm._idf, warm._default_idf  # same weights
        fresh_results.append(fresh.grade(item, text))
    for (item, text), got, want in zip(pairs, warm_results, fresh_results, strict=True):
        assert asdict(got) == asdict(want), (item.id, text)
    verdicts = {result.verdict for result in fresh_results}
    assert len(verdicts) == 3  # the sample exercises every verdict

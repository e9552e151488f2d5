"""The lexical grader grades as it always has: 310 answers (labelled ones, bench-style prose
and mutated reference texts: dropped, repeated and shuffled words, typos, negations,
opposites, abbreviations, formulas) against the results the grader gave at commit f2f52aa,
before its hot path was rewritten for speed, in tests/data/grading_golden.json."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from bot.content.bank import load_bank
from bot.domain.models import GradeResult
from bot.grading.lexical import LexicalGrader

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "data" / "grading_golden.json"


def _as_json(result: GradeResult) -> Any:
    return json.loads(json.dumps({**asdict(result), "verdict": result.verdict.value}))


@pytest.mark.parametrize("warm", [False, True], ids=["fresh", "warm"])
def test_results_match_the_golden_file(warm: bool) -> None:
    bank = load_bank(ROOT / "content")
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"))
    graders = {"plain": LexicalGrader(), "corpus": LexicalGrader(corpus=bank.items.values())}
    if warm:  # every cache filled by a first pass over the same answers
        for case in cases:
            graders[case["grader"]].grade(bank.items[case["item"]], case["answer"])
    wrong = [
        (case["item"], case["answer"][:80])
        for case in cases
        if _as_json(graders[case["grader"]].grade(bank.items[case["item"]], case["answer"]))
        != case["result"]
    ]
    assert wrong == []
    assert len(cases) == 310
    assert {case["result"]["verdict"] for case in cases} == {"correct", "partial", "incorrect"}

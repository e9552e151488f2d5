"""Markdown import: paragraphs belong to the question they follow, not the one before
(issue 15 item 16), for bold-paragraph and numbered-line questions that wrap, lead their
answer on the same line, or skip a number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.content.checker import check_paths
from bot.content.importers import import_source

BOLD = """\
Intro text that is not a question.

**What is a neuron, and why does it need
a non-linearity?**

A weighted sum of its inputs.

Without the non-linearity, stacked layers collapse into one linear map.

**Why use ReLU? (hard)** It does not saturate for positive inputs.

Its gradient is 0 or 1, cheap to compute.

**What is attention?**

A weighted average of values, weighted by query-key similarity.
"""

NUMBERED = """\
1. What is a neuron?

A weighted sum of its inputs.

Then a non-linearity.

2. How does a neuron differ from
a perceptron with a step function?

Its activation is smooth, so it can be trained by gradient descent.

4. What is attention?

A weighted average of values.

Steps of the method:
1. score the keys
2. softmax the scores
"""


def imported(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    source = tmp_path / "q.md"
    source.write_text(text, encoding="utf-8")
    deck, _, fmt = import_source(source, "imp", "markdown")
    assert fmt == "markdown"
    out = tmp_path / "out.yaml"
    out.write_text(yaml.safe_dump(deck, sort_keys=False))
    assert [str(p) for p in check_paths([out], tags={}).errors] == []
    items = deck["items"]
    assert isinstance(items, list)
    return items


def test_bold_paragraph_questions_keep_their_own_paragraphs(tmp_path: Path) -> None:
    items = imported(tmp_path, BOLD)
    assert [(i["question"], i["answer"]) for i in items] == [
        (
            "What is a neuron, and why does it need a non-linearity?",
            "A weighted sum of its inputs.\n\n"
            "Without the non-linearity, stacked layers collapse into one linear map.",
        ),
        (
            "Why use ReLU?",
            "It does not saturate for positive inputs.\n\n"
            "Its gradient is 0 or 1, cheap to compute.",
        ),
        ("What is attention?", "A weighted average of values, weighted by query-key similarity."),
    ]
    assert items[1]["difficulty"] == "hard"
    assert [i["source"]["ref"] for i in items] == ["line 3", "line 10", "line 14"]


def test_numbered_questions_keep_their_own_paragraphs(tmp_path: Path) -> None:
    items = imported(tmp_path, NUMBERED)
    assert [(i["source"]["ref"], i["question"]) for i in items] == [
        ("Q1", "What is a neuron?"),
        ("Q2", "How does a neuron differ from a perceptron with a step function?"),
        ("Q4", "What is attention?"),
    ]
    assert items[0]["answer"] == "A weighted sum of its inputs.\n\nThen a non-linearity."
    assert items[1]["answer"] == (
        "Its activation is smooth, so it can be trained by gradient descent."
    )
    # The numbered list inside the last answer stays in it.
    assert items[2]["answer"] == (
        "A weighted average of values.\n\nSteps of the method:\n1. score the keys\n"
        "2. softmax the scores"
    )


def test_bold_answer_text_does_not_start_a_question(tmp_path: Path) -> None:
    text = "**What is dropout?**\n\n**Note:** it is off at inference.\n\n**Idea** zero units.\n"
    (item,) = imported(tmp_path, text)
    assert item["answer"] == "**Note:** it is off at inference.\n\n**Idea** zero units."

"""`content import` refuses useless imports (exit 1, nothing written); the markdown
importer flags placeholder answers and proposes only topic tags."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.content.importers import detect_format_confidence, import_source

QUESTION_LIST = """\
- Q1: What are autoencoders?
- Q2: What is batch normalization?
- Q3: What is dropout?
Autoencoders compress input into a code and reconstruct it.
Batch normalization standardises each feature over the mini-batch.
Dropout randomly zeroes activations while training.
"""

CODE_ONLY = """\
import torch
x = torch.randn(3, 4)
print(x.mean(dim=0))

The mean over the batch dimension is what batch normalisation subtracts before it scales
the features, which keeps activations in a stable range while the network trains.
import numpy as np
np.zeros((2, 2))
Attention weights are a softmax over scaled dot products of queries and keys, and every
position mixes the values of all positions according to those weights in one step.
"""

PLACEHOLDERS = """\
# Questions & Answers

You can also find all 80 answers in the book.

## Regularization

### 1. What is dropout?

Answer:

### 2. What is weight decay?

**Answer:** An L2 penalty on the weights, added to the loss.

### 3. What is early stopping?

Answer here

### 4. What is label smoothing?

TBD
"""


def run_import(tmp_path: Path, text: str, *extra: str, name: str = "src.txt") -> tuple[int, Path]:
    source = tmp_path / name
    source.write_text(text)
    out = tmp_path / "out" / "deck.yaml"
    code = main(["content", "import", str(source), "--deck-id", "imp", "-o", str(out), *extra])
    return code, out


def test_empty_file_exits_1_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_import(tmp_path, "", "--format", "markdown", name="e.md")
    assert code == 1 and not out.exists()
    assert "nothing written" in capsys.readouterr().err


def test_question_list_without_its_questions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bodies = "\n".join(QUESTION_LIST.splitlines()[3:]) + "\n"
    code, out = run_import(tmp_path, bodies, "--format", "question-list")
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert "--questions" in err


def test_wrong_explicit_format_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_import(tmp_path, textwrap.dedent(PLACEHOLDERS), "--format", "markdown")
    # 3 of 4 answers are placeholders: most items would be no_answer.
    assert code == 1 and not out.exists()
    assert "3 of 4 item(s) have no answer" in capsys.readouterr().err


def test_auto_detection_refuses_junk_with_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert detect_format_confidence(CODE_ONLY, "a.txt") == ("flashcard-lines", "low")
    code, out = run_import(tmp_path, CODE_ONLY)
    assert code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert "no import format fits" in err and "--format" in err and "--questions" in err


def test_detected_format_reports_its_confidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_import(tmp_path, QUESTION_LIST)
    assert code == 0 and out.exists()
    assert "format: question-list (detected, confidence high)" in capsys.readouterr().err


@pytest.mark.parametrize("deck_id", ["My Deck", "../escape", "_x", ""])
def test_bad_deck_id_is_refused_before_writing(tmp_path: Path, deck_id: str) -> None:
    source = tmp_path / "q.txt"
    source.write_text(QUESTION_LIST)
    out = tmp_path / "deck.yaml"
    assert main(["content", "import", str(source), f"--deck-id={deck_id}", "-o", str(out)]) == 2
    assert not out.exists()


def test_existing_output_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "q.txt"
    source.write_text(QUESTION_LIST)
    out = tmp_path / "deck.yaml"
    out.write_text("mine\n")
    args = ["content", "import", str(source), "--deck-id", "imp", "-o", str(out)]
    assert main(args) == 1
    assert "--force" in capsys.readouterr().err and out.read_text() == "mine\n"
    assert main([*args, "--force"]) == 0
    assert yaml.safe_load(out.read_text())["id"] == "imp"


def test_markdown_placeholders_labels_and_title_tags(tmp_path: Path) -> None:
    source = tmp_path / "p.md"
    source.write_text(textwrap.dedent(PLACEHOLDERS))
    deck, _, _ = import_source(source, "imp", "markdown")
    items = deck["items"]
    assert isinstance(items, list)
    flags = {entry["question"]: entry.get("flags", []) for entry in items}
    assert flags == {
        "What is dropout?": ["no_answer"],
        "What is weight decay?": [],
        "What is early stopping?": ["no_answer"],
        "What is label smoothing?": ["no_answer"],
    }
    decay = next(entry for entry in items if entry["question"] == "What is weight decay?")
    assert decay["answer"] == "An L2 penalty on the weights, added to the loss."
    # Only the real section is a tag: not the title, not the note under it.
    assert deck["tags"] == {"regularization": "Section 'Regularization' of the import."}


def test_deck_level_errors_do_not_hide_item_errors(tmp_path: Path) -> None:
    from bot.content.checker import check_paths

    deck = tmp_path / "d.yaml"
    deck.write_text(
        "id: Bad Id\ntitle: T\nlanguage: en\nlicense: MIT\nattribution: a\n"
        "items:\n  - id: d/1\n    type: essay\n    question: Q?\n"
    )
    problems = check_paths([deck], tags={}).problems
    fields = {problem.field for problem in problems}
    assert "id" in fields and "items[0].type" in fields
    item_problem = next(p for p in problems if p.field == "items[0].type")
    assert item_problem.line == 8

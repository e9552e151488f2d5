"""`content import`: every format, on small fixtures the tests write, including malformed ones."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.checker import check_paths
from bot.content.importers import detect_format, import_source
from bot.content.importers.draft import split_difficulty
from bot.content.importers.tables import html_to_markdown
from bot.errors import ImportFormatError

MARKDOWN = """\
# Deep learning questions

Intro text that is not a question.

## Basics

### 1. What is a neuron? 🟢

A weighted sum followed by a non-linearity.

#### Details

Subheadings stay inside the answer.

### Q2: Why use ReLU? (hard)

```python
# a comment, not a heading
print(max(0, -1))
```

## Transformers

### 3. What is attention?
"""

QUESTION_LIST = """\
- Q1: What are autoencoders?
- Q2: What is batch normalization?
- Q3: What is dropout?
- Q4: What is self-attention?
Q1: What are autoencoders?
Answer:
Autoencoders compress input into a code and reconstruct it.
Batch normalization standardises each feature over the mini-batch.
Answer: Dropout randomly zeroes activations while training.
Answer:
"""

FLASHCARDS = """\
My deck
ReLU
max(0, x)
Why does dropout help?
It prevents co-adaptation of units.
"""

CSV = """\
id,Front,Back,Tags,Difficulty
abc-1,What is <b>BN</b>?,"Normalises with \\(\\mu_B\\) and <i>variance</i>",cnn optimization,easy
abc-2,What is SGD?,,optimization,hard
,,,,
"""

MCQ = """\
Which activation is linear for positive inputs?,ReLU,Sigmoid,Tanh,A
"Which optimiser uses momentum, and adaptive steps?",SGD,Adam,B
"""

ANKI = """\
#separator:tab
#html:true
#guid column:1
#tags column:4
Xa1\tWhat is a <b>CNN</b>?\tA network with convolutions.\tcnn
Xa2\tWhat is an RNN?\tA network with recurrence.\trnn
"""


def run_import(
    tmp_path: Path, name: str, text: str, fmt: str = "auto", **kw: Any
) -> dict[str, Any]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    deck, _, _ = import_source(source, "imp", fmt, **kw)
    out = tmp_path / "out.yaml"
    out.write_text(yaml.safe_dump(deck, sort_keys=False))
    result = check_paths([out], tags={})
    assert [str(p) for p in result.errors] == []
    return deck


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.md", MARKDOWN, "markdown"),
        ("a.txt", QUESTION_LIST, "question-list"),
        ("a.txt", FLASHCARDS, "flashcard-lines"),
        ("a.csv", CSV, "csv"),
        ("a.csv", MCQ, "mcq-csv"),
        ("a.txt", ANKI, "anki-txt"),
    ],
)
def test_detect_format(name: str, text: str, expected: str) -> None:
    assert detect_format(text, name) == expected


def test_markdown(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "q.md", MARKDOWN)
    items = deck["items"]
    assert [i["id"] for i in items] == ["imp/q01", "imp/q02", "imp/q03"]
    first, second, third = items
    assert first["question"] == "What is a neuron?"
    assert first["difficulty"] == "easy"
    assert first["tags"] == ["basics"]
    assert "Subheadings stay inside the answer." in first["answer"]
    assert second["difficulty"] == "hard"
    assert "# a comment, not a heading" in second["answer"]
    assert third["tags"] == ["transformers"]
    assert third["flags"] == ["no_answer"]
    # The document title is not a topic (issue 15 item 16).
    assert set(deck["tags"]) == {"basics", "transformers"}
    assert deck["status"] == "draft"


BOLD_MARKDOWN = """\
Intro text that is not a question.

**What is a neuron?**

A weighted sum followed by a **non-linearity**.

**Why use ReLU? (hard)**

It does not saturate for positive inputs.

**What is attention? 🟢**
"""


def test_markdown_bold_paragraph_questions(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "q.md", BOLD_MARKDOWN)
    questions = [(i["question"], i.get("difficulty")) for i in deck["items"]]
    assert questions == [
        ("What is a neuron?", None),
        ("Why use ReLU?", "hard"),
        ("What is attention?", "easy"),
    ]
    assert deck["items"][0]["answer"] == "A weighted sum followed by a **non-linearity**."
    assert deck["items"][2]["flags"] == ["no_answer"]


def test_unnumbered_heading_with_difficulty_marker_is_a_question(tmp_path: Path) -> None:
    text = "## Basics\n\n### What is a neuron? 🔴\n\nA weighted sum.\n"
    (item,) = run_import(tmp_path, "q.md", text)["items"]
    assert (item["question"], item["difficulty"], item["tags"]) == (
        "What is a neuron?",
        "hard",
        ["basics"],
    )
    assert item["answer"] == "A weighted sum."


def test_markdown_without_questions_says_so(tmp_path: Path) -> None:
    source = tmp_path / "q.md"
    source.write_text("# Notes\n\nJust prose, no questions here.\n")
    deck, result, fmt = import_source(source, "imp")
    assert (fmt, deck["items"]) == ("markdown", [])
    assert "no question headings found" in result.notes


def test_question_list_places_headerless_bodies(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "q.txt", QUESTION_LIST)
    answers = {i["source"]["ref"]: i.get("answer", "") for i in deck["items"]}
    assert answers["Q1"].startswith("Autoencoders compress")
    assert answers["Q2"].startswith("Batch normalization standardises")
    assert answers["Q3"].startswith("Dropout randomly")
    assert answers["Q4"] == ""
    assert deck["items"][3]["flags"] == ["no_answer"]


def test_question_list_from_a_separate_file(tmp_path: Path) -> None:
    body = "Banner line\nDropout zeroes random units.\nmore on dropout\nAttention weighs tokens.\n"
    questions = [(1, "How does dropout work?"), (2, "What does attention do?")]
    deck = run_import(tmp_path, "q.txt", body, "question-list", questions=questions)
    answers = [i["answer"] for i in deck["items"]]
    assert answers[0].startswith("Dropout zeroes")
    assert answers[1] == "Attention weighs tokens."


def test_flashcard_lines(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "f.txt", FLASHCARDS)
    assert deck["title"] == "My deck"
    relu, dropout = deck["items"]
    assert relu["type"] == "flashcard"
    assert (relu["term"], relu["definition"]) == ("ReLU", "max(0, x)")
    assert relu["source"] == {"document": "f.txt", "ref": "card 1"}
    assert dropout["type"] == "open"
    assert dropout["id"] == "imp/card-02"


def test_csv_with_html_and_math(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "c.csv", CSV)
    first, second = deck["items"]
    assert first["id"] == "imp/abc-1"
    assert first["question"] == "What is **BN**?"
    assert "\\(\\mu_B\\)" in first["answer"]
    assert "*variance*" in first["answer"]
    assert first["tags"] == ["cnn", "optimization"]
    assert first["difficulty"] == "easy"
    assert second["flags"] == ["no_answer"]


def test_csv_without_question_column(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("foo,bar\n1,2\n")
    with pytest.raises(ImportFormatError, match="line 1: no question column"):
        import_source(source, "imp", "csv")


def test_mcq_csv(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "m.csv", MCQ)
    first, second = deck["items"]
    assert first["type"] == "mcq"
    assert [o["correct"] for o in first["options"]] == [True, False, False]
    assert second["question"] == "Which optimiser uses momentum, and adaptive steps?"
    assert [o["text"] for o in second["options"] if o["correct"]] == ["Adam"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Q?,a,b,E\n", "line 1: answer must be a letter A-B"),
        ("Q?,a,b,A\nQ2?,only,A\n", "line 2: expected question, 2-6 options"),
        ("Q?,1,2,3,4,5,6,7,A\n", "line 1: expected 2-6 options, found 7"),
    ],
)
def test_mcq_csv_malformed(tmp_path: Path, text: str, message: str) -> None:
    source = tmp_path / "m.csv"
    source.write_text(text)
    with pytest.raises(ImportFormatError, match=message):
        import_source(source, "imp", "mcq-csv")


def test_anki_txt(tmp_path: Path) -> None:
    deck = run_import(tmp_path, "a.txt", ANKI)
    first, second = deck["items"]
    assert first["id"] == "imp/xa1"
    assert first["question"] == "What is a **CNN**?"
    assert first["answer"] == "A network with convolutions."
    assert second["tags"] == ["rnn"]


def test_anki_malformed_row(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("#separator:tab\nonly-one-field\n")
    with pytest.raises(ImportFormatError, match="line 2"):
        import_source(source, "imp", "anki-txt")


def test_cli_reports_summary_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "q.txt"
    source.write_text(QUESTION_LIST)
    out = tmp_path / "deck.yaml"
    assert main(["content", "import", str(source), "--deck-id", "imp", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "recovered 4 item(s): 3 with answers, 1 flagged no_answer" in err
    assert yaml.safe_load(out.read_text())["status"] == "draft"
    bad = tmp_path / "m.csv"
    bad.write_text("Q?,a,b,Z\n")
    code = main(
        ["content", "import", str(bad), "--deck-id", "imp", "-o", str(out), "--format", "mcq-csv",
         "--force"]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "line 1: answer must be a letter" in err
    assert "Traceback" not in err


def test_multiline_answers_are_written_as_blocks(tmp_path: Path) -> None:
    source = tmp_path / "q.md"
    source.write_text(textwrap.dedent(MARKDOWN))
    out = tmp_path / "deck.yaml"
    assert main(["content", "import", str(source), "--deck-id", "imp", "-o", str(out)]) == 0
    assert "answer: |" in out.read_text()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("What is X? 🔴", ("What is X?", "hard")),
        ("What is X? [Easy]", ("What is X?", "easy")),
        ("What is X? ⭐⭐", ("What is X?", "medium")),
        ("What is X?", ("What is X?", None)),
    ],
)
def test_split_difficulty(title: str, expected: tuple[str, str | None]) -> None:
    assert split_difficulty(title) == expected


def test_html_to_markdown_keeps_display_math() -> None:
    assert html_to_markdown("<p>\\[a_1 * b_2\\]</p>") == "\\[a_1 * b_2\\]"

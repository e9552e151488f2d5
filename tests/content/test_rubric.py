"""Rubric lint: each warning `content check` gives about a key point, at its line."""

from __future__ import annotations

from pathlib import Path

from bot.content.rubric import check_with_rubrics, lint_items
from bot.content.schema import Item, KeyPoint

TAGS = "regularization: Overfitting.\ncnn: Convolutions.\n"


def _item(**changes: object) -> Item:
    base: dict[str, object] = {
        "id": "d/q01",
        "type": "open",
        "question": "How does dropout work?",
        "answer": "Units are zeroed at random during training; dropout is switched off at "
        "inference.",
        "short_answer": "Random zeroing in training, switched off at inference.",
        "key_points": [
            KeyPoint(text="Units are zeroed at random.", keywords=["zeroed at random"]),
            KeyPoint(text="It is off at inference.", keywords=["switched off at inference"]),
        ],
        "tags": ["regularization"],
    }
    base.update(changes)
    return Item.model_validate(base)


def _messages(*items: Item) -> list[str]:
    return [warning.message for warning in lint_items(list(items))]


def test_a_clean_rubric_has_no_warnings() -> None:
    assert _messages(_item()) == []


def test_stopword_split_and_question_keywords_are_named() -> None:
    item = _item(
        key_points=[
            KeyPoint(
                text="Units are zeroed at random.",
                keywords=["zeroed at random", "the", "max(0", "dropout work"],
            ),
            KeyPoint(text="It is off at inference.", keywords=["switched off at inference"]),
        ]
    )
    messages = " | ".join(_messages(item))
    assert "'the' is only a stopword" in messages
    assert "'max(0' has unbalanced brackets" in messages
    assert "'dropout work' only repeats the question" in messages


def test_a_point_the_reference_answer_misses_is_named() -> None:
    item = _item(answer="Units are zeroed at random during training.")
    assert _messages(item) == [
        "the reference answer does not cover this key point by its keywords"
    ]


def test_an_answer_asserting_its_own_misconception_is_named() -> None:
    item = _item(
        short_answer="Random zeroing in training; dropout stays active at inference.",
        misconceptions=["Dropout stays active at inference."],
    )
    assert any("short answer asserts its own misconception" in m for m in _messages(item))


def test_a_short_answer_earning_credit_off_topic_is_named() -> None:
    generic = _item(
        id="d/q02",
        question="What does a convolution layer compute?",
        answer="It slides learned filters over the input to make feature maps; units are "
        "zeroed at random.",
        short_answer="Learned filters slide over the input.",
        key_points=[
            KeyPoint(text="Filters slide over the input.", keywords=["filters slide"]),
            KeyPoint(text="Units are zeroed.", keywords=["zeroed at random"]),
        ],
        tags=["cnn"],
    )
    messages = _messages(_item(), generic)
    assert any("short answer of d/q01 (another topic) earns credit" in m for m in messages)


def test_content_check_reports_rubric_warnings_at_their_line(tmp_path: Path) -> None:
    (tmp_path / "tags.yaml").write_text(TAGS)
    (tmp_path / "decks").mkdir()
    deck = tmp_path / "decks" / "d.yaml"
    deck.write_text(
        "id: d\ntitle: T\nlanguage: en\nlicense: NOASSERTION\nattribution: A\nitems:\n"
        "  - id: d/q01\n"
        "    type: open\n"
        "    question: How does dropout work?\n"
        "    answer: Units are zeroed at random; it is switched off at inference.\n"
        "    short_answer: Random zeroing, off at inference.\n"
        "    key_points:\n"
        "      - text: Units are zeroed at random.\n"
        "        keywords: [zeroed at random, max(0, x)]\n"
        "      - text: It is off at inference.\n"
        "        keywords: [switched off at inference]\n"
        "    tags: [regularization]\n"
        "    source: {document: seed.txt, ref: Q1}\n"
    )
    result = check_with_rubrics([tmp_path / "decks"])
    assert result.errors == []
    assert result.rubric_warnings == 2  # "max(0" and "x)": one keyword split in two
    lines = {(p.line, p.field) for p in result.warnings}
    assert (14, "items[0].key_points[0].keywords[1]") in lines
    assert (14, "items[0].key_points[0].keywords[2]") in lines



def test_the_shipped_bank_has_no_rubric_warnings() -> None:
    content = Path(__file__).resolve().parents[2] / "content"
    result = check_with_rubrics([content / "decks"])
    assert result.errors == []
    assert [str(p) for p in result.warnings] == []

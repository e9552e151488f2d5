"""`content check` reports each class of problem with the right file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.checker import Problem, check_paths

TAGS = "regularization: Overfitting and friends.\nnlp: Language.\n"

GOOD_ITEM = """\
  - id: {deck}/q01
    type: open
    question: What is dropout?
    answer: Random zeroing of units during training; it is disabled at inference.
    short_answer: Zeroing units at random while training.
    key_points:
      - text: Units are zeroed at random.
        keywords: [random, zero]
      - text: It is off at inference.
        keywords: [inference, disabled]
    tags: [regularization]
    source: {{document: seed.txt, ref: Q1}}
"""


def write_deck(
    root: Path, name: str, body: str, *, deck: str = "d", status: str = "published"
) -> Path:
    (root / "tags.yaml").write_text(TAGS)
    (root / "decks").mkdir(exist_ok=True)
    header = (
        f"id: {deck}\ntitle: T\nlanguage: en\nlicense: NOASSERTION\n"
        f"attribution: A\nstatus: {status}\nitems:\n"
    )
    path = root / "decks" / name
    path.write_text(header + textwrap.dedent(body))
    return path


def problems(root: Path) -> list[Problem]:
    return check_paths([root]).problems


def find(found: list[Problem], text: str) -> Problem:
    matches = [p for p in found if text in p.message]
    assert matches, f"no problem mentioning {text!r} in {[str(p) for p in found]}"
    return matches[0]


def test_good_deck_has_no_problems(tmp_path: Path) -> None:
    write_deck(tmp_path, "d.yaml", GOOD_ITEM.format(deck="d"))
    assert problems(tmp_path) == []


def test_unknown_field_names_its_line(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d") + "    colour: blue\n"
    path = write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "unknown field")
    assert problem.path == path
    assert problem.field == "items[0].colour"
    assert path.read_text().splitlines()[problem.line - 1].strip() == "colour: blue"


def test_duplicate_ids_across_decks(tmp_path: Path) -> None:
    write_deck(tmp_path, "a.yaml", GOOD_ITEM.format(deck="d"))
    second = write_deck(tmp_path, "b.yaml", GOOD_ITEM.format(deck="d"))
    problem = find(problems(tmp_path), "duplicate item id")
    assert problem.path == second
    assert problem.line == 8
    assert "a.yaml:8" in problem.message


def test_unknown_tag_suggests_close_ones(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("[regularization]", "[regularisation]")
    path = write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "unknown tag 'regularisation'")
    assert "closest: regularization" in problem.message
    assert "regularisation" in path.read_text().splitlines()[problem.line - 1]


def test_mcq_needs_exactly_one_correct_option(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("type: open", "type: mcq") + (
        "    options:\n      - {text: a, correct: true}\n      - {text: b, correct: true}\n"
    )
    write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "exactly one correct option")
    assert problem.field == "items[0]"
    assert problem.line == 8


def test_malformed_source(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("ref: Q1", "ref: '!!'")
    path = write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "ref must be Q<number>")
    assert problem.field == "items[0].source.ref"
    assert "source" in path.read_text().splitlines()[problem.line - 1]


@pytest.mark.parametrize("field", ["answer", "short_answer"])
def test_published_items_need_answers(tmp_path: Path, field: str) -> None:
    lines = [
        ln
        for ln in GOOD_ITEM.format(deck="d").splitlines()
        if not ln.strip().startswith(f"{field}:")
    ]
    write_deck(tmp_path, "d.yaml", "\n".join(lines) + "\n")
    problem = find(problems(tmp_path), f"'{field}' is required")
    assert problem.line == 8


def test_published_key_points_need_keywords(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("keywords: [random, zero]", "keywords: []")
    write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "no keywords")
    assert problem.field == "items[0].key_points[0]"
    assert problem.line == 14


def test_published_items_need_key_points(tmp_path: Path) -> None:
    item = GOOD_ITEM.format(deck="d")
    start = item.index("    key_points:")
    body = item[:start] + item[item.index("    tags:") :]
    write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "needs 2-6 key_points")
    assert (problem.severity, problem.line) == ("error", 8)
    write_deck(tmp_path, "d.yaml", body, status="draft")
    assert problems(tmp_path) == []


def test_draft_decks_may_lack_answers(tmp_path: Path) -> None:
    body = "  - id: d/q01\n    type: open\n    question: What is dropout?\n    flags: [no_answer]\n"
    write_deck(tmp_path, "d.yaml", body, status="draft")
    assert problems(tmp_path) == []
    write_deck(tmp_path, "d.yaml", body, status="published")
    assert {p.severity for p in problems(tmp_path)} == {"error"}


def test_flashcard_definition_length(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("type: open", "type: flashcard") + (
        "    term: Dropout\n    definition: " + "x" * 101 + "\n"
    )
    write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "at most 100")
    assert problem.field == "items[0].definition"
    assert problem.line == 21


def test_poll_limits_are_warnings(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("type: open", "type: mcq").replace(
        "What is dropout?", "Q" * 301
    ) + ("    options:\n      - {text: " + "o" * 101 + ", correct: true}\n      - {text: b}\n")
    write_deck(tmp_path, "d.yaml", body)
    found = problems(tmp_path)
    assert {p.severity for p in found} == {"warning"}
    assert find(found, "quiz poll allows 300").line == 10
    assert find(found, "poll option allows 100").field == "items[0].options[0].text"


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write_deck(tmp_path, "d.yaml", GOOD_ITEM.format(deck="d") + "  - id: [unclosed\n")
    problem = find(problems(tmp_path), "")
    assert problem.path == path
    assert problem.line >= 20


def test_item_id_must_carry_the_deck_id(tmp_path: Path) -> None:
    write_deck(tmp_path, "d.yaml", GOOD_ITEM.format(deck="other"))
    assert find(problems(tmp_path), "must start with the deck id").line == 8


def test_every_problem_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = GOOD_ITEM.format(deck="d").replace("[regularization]", "[nope]") + GOOD_ITEM.format(
        deck="d"
    ).replace("question: What is dropout?", "question: Again?")
    path = write_deck(tmp_path, "d.yaml", body)
    assert main(["content", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{path}:18: items[0].tags[0]: unknown tag") for line in out)
    assert any(line.startswith(f"{path}:20: items[1].id: duplicate item id") for line in out)


def test_check_passes_exit_zero(tmp_path: Path) -> None:
    write_deck(tmp_path, "d.yaml", GOOD_ITEM.format(deck="d"))
    assert main(["content", "check", str(tmp_path)]) == 0


def test_unquoted_yaml_boolean_gets_a_hint(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("[inference, disabled]", "[inference, off]")
    write_deck(tmp_path, "d.yaml", body)
    problem = find(problems(tmp_path), "quote it")
    assert problem.field == "items[0].key_points[1].keywords[1]"


@pytest.mark.parametrize("action", ["check", "stats"])
def test_missing_path_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    assert main(["content", action, str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err

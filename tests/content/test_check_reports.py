"""`content check` reports every problem in one run, each at its own line, in words a deck
author understands (issue 15 item 17): schema errors hide no tag, id or content errors,
broken YAML points where the trouble starts, and no raw pydantic or regex text shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.content.checker import Problem, check_paths
from tests.content.test_checker import GOOD_ITEM, write_deck

RAW_TEXT = ("String should", "Input should", "Extra inputs", "Field required", "pattern '^")


def problems(root: Path) -> list[Problem]:
    return check_paths([root]).problems


def at(path: Path, problem: Problem) -> str:
    """The deck line a problem points at."""
    return path.read_text().splitlines()[problem.line - 1].strip()


def test_schema_errors_do_not_hide_tag_and_id_errors(tmp_path: Path) -> None:
    broken = (
        GOOD_ITEM.format(deck="other")
        .replace("[regularization]", "[regularisation]")
        .replace("type: open", "type: essay")
        .replace("keywords: [random, zero]", "keyword: [random, zero]")
    )
    path = write_deck(tmp_path, "d.yaml", broken + GOOD_ITEM.format(deck="other"))
    found = {(p.line, p.field, p.message) for p in problems(tmp_path)}
    assert (8, "items[0].id", "item id must start with the deck id 'd/'") in found
    type_words = "type must be one of open, flashcard, mcq, coding, found 'essay'"
    assert (9, "items[0].type", type_words) in found
    assert (
        15,
        "items[0].key_points[0].keyword",
        "unknown field 'keyword' (did you mean 'keywords'?)",
    ) in found
    assert any(
        line == 18 and loc == "items[0].tags[0]" and msg.startswith("unknown tag 'regularisation'")
        for line, loc, msg in found
    )
    assert any(
        line == 20 and msg.startswith(f"duplicate item id 'other/q01' (also at {path}:8)")
        for line, _, msg in found
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "id: d/q01",
            "id: D/Q 1",
            "items[0].id",
            "id must look like deck-id/slug: lower-case letters, digits, '.', '_' or '-'",
        ),
        (
            "type: open",
            "type: essay",
            "items[0].type",
            "type must be one of open, flashcard, mcq, coding",
        ),
        (
            "keywords: [random, zero]",
            "keyword: [random, zero]",
            "items[0].key_points[0].keyword",
            "unknown field 'keyword' (did you mean 'keywords'?)",
        ),
        ("tags: [regularization]", "tags: regularization", "items[0].tags", "expected a list"),
        (
            "question: What is dropout?",
            "question: ''",
            "items[0].question",
            "question must not be empty",
        ),
        ("ref: Q1", "ref: '!!'", "items[0].source.ref", "ref must be Q<number>, 'card <number>'"),
    ],
)
def test_messages_are_in_words_a_deck_author_understands(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    item = GOOD_ITEM.format(deck="d")
    assert old in item
    path = write_deck(tmp_path, "d.yaml", item.replace(old, new))
    found = problems(tmp_path)
    assert [p for p in found if p.field == field and p.message.startswith(message)], found
    for problem in found:
        assert not any(raw in problem.message for raw in RAW_TEXT), problem
        assert new.split(":")[0].strip() in at(path, problem) or problem.field == "items[0]"


def test_deck_header_errors_are_in_words_and_hide_no_item_errors(tmp_path: Path) -> None:
    path = write_deck(
        tmp_path,
        "d.yaml",
        GOOD_ITEM.format(deck="d").replace("[regularization]", "[nope]"),
        status="pub",
    )
    path.write_text(path.read_text().replace("language: en", "language: English!"))
    found = problems(tmp_path)
    messages = [str(p) for p in found]
    assert f"{path}:6: status: status must be one of published, draft, found 'pub'" in messages
    assert any(m.startswith(f"{path}:3: language: language must be a BCP 47 tag") for m in messages)
    assert any(m.startswith(f"{path}:18: items[0].tags[0]: unknown tag 'nope'") for m in messages)
    assert not any(raw in m for m in messages for raw in RAW_TEXT)


def test_rules_behind_schema_errors_are_reported_too(tmp_path: Path) -> None:
    """An unknown field hides neither the mcq rule nor a published deck's required fields."""
    item = (
        GOOD_ITEM.format(deck="d")
        .replace("type: open", "type: mcq")
        .replace("    short_answer: Zeroing units at random while training.\n", "")
        + "    colour: blue\n"
        + "    options:\n      - {text: a, correct: true}\n      - {text: b, correct: true}\n"
    )
    write_deck(tmp_path, "d.yaml", item)
    found = {(p.line, p.field, p.message) for p in problems(tmp_path)}
    assert (8, "items[0]", "mcq items need exactly one correct option, found 2") in found
    assert (8, "items[0].id", "'short_answer' is required in a published deck") in found
    assert any(msg.startswith("unknown field 'colour'") for _, _, msg in found)


def test_a_list_too_long_still_shows_its_entries_errors(tmp_path: Path) -> None:
    points = "".join(
        f"      - text: Point {n}.\n        keywords: [p{n}]\n" for n in range(6)
    ) + "      - text: Point 6.\n        keywrods: [p6]\n"
    item = GOOD_ITEM.format(deck="d")
    start, end = item.index("      - text: Units"), item.index("    tags:")
    path = write_deck(tmp_path, "d.yaml", item[:start] + points + item[end:])
    found = problems(tmp_path)
    messages = {(p.field, p.message) for p in found}
    assert ("items[0].key_points", "7 entries; at most 6 allowed") in messages
    entry = [p for p in found if p.field == "items[0].key_points[6].keywrods"]
    assert entry and entry[0].message == "unknown field 'keywrods' (did you mean 'keywords'?)"
    assert at(path, entry[0]) == "keywrods: [p6]"


def test_misconception_errors_name_the_form_that_was_meant(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d") + "    misconceptions:\n      - fine\n      - {claimz: x}\n"
    write_deck(tmp_path, "d.yaml", body)
    found = {(p.field, p.message) for p in problems(tmp_path)}
    assert found == {
        ("items[0].misconceptions[1].claim", "required field 'claim' is missing"),
        ("items[0].misconceptions[1].claimz", "unknown field 'claimz' (did you mean 'claim'?)"),
    }


def test_unterminated_quote_at_end_of_file_points_where_it_opens(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace(
        "question: What is dropout?", 'question: "What is dropout?'
    )
    path = write_deck(tmp_path, "d.yaml", body)
    (problem,) = problems(tmp_path)
    assert at(path, problem) == 'question: "What is dropout?'
    assert problem.field == "yaml"
    assert problem.message == 'the " quote opened on this line is never closed'


def test_a_quote_that_runs_on_points_where_it_opens(tmp_path: Path) -> None:
    first = GOOD_ITEM.format(deck="d").replace(
        "question: What is dropout?", "question: 'What is dropout?"
    )
    second = GOOD_ITEM.format(deck="d").replace("q01", "q02").replace(
        "question: What is dropout?", "question: 'Why dropout?'"
    )
    path = write_deck(tmp_path, "d.yaml", first + second)
    (problem,) = problems(tmp_path)
    assert at(path, problem) == "question: 'What is dropout?"
    assert "closing quote missing" in problem.message


def test_an_unclosed_bracket_points_where_it_opens(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d") + "  - id: [unclosed\n    question: q\n"
    path = write_deck(tmp_path, "d.yaml", body)
    (problem,) = problems(tmp_path)
    assert at(path, problem) == "- id: [unclosed"
    assert problem.message == "the [ opened on this line is never closed with ]"


def test_a_colon_in_a_value_says_to_quote_it(tmp_path: Path) -> None:
    body = GOOD_ITEM.format(deck="d").replace("What is dropout?", "What is it: dropout?")
    path = write_deck(tmp_path, "d.yaml", body)
    (problem,) = problems(tmp_path)
    assert at(path, problem) == "question: What is it: dropout?"
    assert problem.message == "a ': ' inside a value; put the value in quotes"


def test_cli_prints_every_problem_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = GOOD_ITEM.format(deck="d").replace("[regularization]", "[nope]") + "    colour: blue\n"
    path = write_deck(tmp_path, "d.yaml", body)
    assert main(["content", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    colour = f"{path}:20: items[0].colour: unknown field 'colour'"
    assert any(line.startswith(colour) for line in out)
    assert any(line.startswith(f"{path}:18: items[0].tags[0]: unknown tag 'nope'") for line in out)

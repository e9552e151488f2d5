"""Rubric lint: key points the grader cannot use fairly, found before a learner meets them.

Each finding is a warning at a field of an item (`content check` turns it into
`file:line: field: warning: ...`). The checks ask the grader itself, so what they flag is
what the grader would do: keywords that are stopwords, punctuation or pieces of a phrase
YAML split at a comma; keywords any answer contains; keywords the question already says;
reference answers that do not cover their own key points or assert their own
misconceptions; and short answers that earn credit on an unrelated item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.checker import CheckResult, Problem, check_paths, field_name
from bot.content.schema import Deck, Item, ItemType
from bot.content.yamlmap import Located, load_located
from bot.grading.claims import Reading
from bot.grading.lexical import LexicalGrader, compile_phrase
from bot.grading.text import content_words, fold

# A one-word keyword used by more than this share of items is too common to show a point.
COMMON_SHARE = 0.25
COMMON_MIN_ITEMS = 20
_OPEN = (ItemType.OPEN, ItemType.CODING)


@dataclass(frozen=True)
class RubricWarning:
    """One rubric finding, at a field path inside the item."""

    item_id: str
    loc: tuple[str | int, ...]
    message: str


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def lint_items(items: Sequence[Item]) -> list[RubricWarning]:
    """Every rubric warning for these items (the bank as a whole, for the off-topic check)."""
    graded = [item for item in items if item.type in _OPEN and item.key_points]
    grader = LexicalGrader(corpus=items)
    frequency: dict[str, int] = {}
    for item in items:
        for word in content_words(fold(f"{item.question} {item.answer}")):
            frequency[word] = frequency.get(word, 0) + 1
    # Word frequencies say nothing in a handful of items.
    common = (
        {w for w, n in frequency.items() if n > COMMON_SHARE * len(items)}
        if len(items) >= COMMON_MIN_ITEMS
        else set()
    )
    found: list[RubricWarning] = []
    for item in graded:
        found += _lint_keywords(item, common)
        found += _lint_reference(grader, item)
    found += _lint_off_topic(grader, graded)
    return found


def _lint_keywords(item: Item, common: set[str]) -> list[RubricWarning]:
    asked = content_words(fold(item.question))
    out: list[RubricWarning] = []
    for p_index, point in enumerate(item.key_points):
        fresh = 0
        for k_index, keyword in enumerate(point.keywords):
            loc = ("key_points", p_index, "keywords", k_index)
            phrase = compile_phrase(keyword)
            if not _balanced(keyword):
                out.append(
                    RubricWarning(
                        item.id,
                        loc,
                        f"keyword '{keyword}' has unbalanced brackets: YAML split it at a "
                        "comma; quote the whole keyword",
                    )
                )
                continue
            if not phrase.tokens and phrase.maths is None:
                out.append(
                    RubricWarning(
                        item.id,
                        loc,
                        f"keyword '{keyword}' is only a stopword or punctuation; it shows nothing",
                    )
                )
                continue
            if phrase.maths is None and all(t in asked for t in phrase.tokens):
                out.append(
                    RubricWarning(
                        item.id,
                        loc,
                        f"keyword '{keyword}' only repeats the question's words; "
                        "it cannot show the point",
                    )
                )
                continue
            fresh += 1
            if phrase.maths is None and len(phrase.tokens) == 1 and phrase.tokens[0] in common:
                out.append(
                    RubricWarning(
                        item.id,
                        loc,
                        f"keyword '{keyword}' is one word that most answers use; "
                        "make it a phrase or add 'requires'",
                    )
                )
        if point.keywords and not fresh and not point.requires:
            out.append(
                RubricWarning(
                    item.id,
                    ("key_points", p_index),
                    "this key point can only be covered by restating the question",
                )
            )
    return out


def _lint_reference(grader: LexicalGrader, item: Item) -> list[RubricWarning]:
    out: list[RubricWarning] = []
    asked = content_words(fold(item.question))
    reference = Reading.of(item.answer)
    for p_index, point in enumerate(item.key_points):
        if grader.coverage(point, reference, asked) < 1.0:
            out.append(
                RubricWarning(
                    item.id,
                    ("key_points", p_index),
                    "the reference answer does not cover this key point by its keywords",
                )
            )
    for label, text in (("answer", item.answer), ("short_answer", item.short_answer)):
        reading = Reading.of(text)
        for claim in grader.misconceptions(item.claims, reading, asked):
            out.append(
                RubricWarning(
                    item.id, (label,), f"the {label.replace('_', ' ')} asserts its own "
                    f"misconception '{claim}'"
                )
            )
    if item.short_answer:
        result = grader.grade(item, item.short_answer)
        if result.contradicted:
            out.append(
                RubricWarning(
                    item.id,
                    ("short_answer",),
                    f"the short answer contradicts its key point '{result.contradicted[0]}'",
                )
            )
    return out


def _lint_off_topic(grader: LexicalGrader, items: Sequence[Item]) -> list[RubricWarning]:
    """A short answer to one item that earns credit on an item with no tag in common."""
    out: list[RubricWarning] = []
    for target in items:
        for other in items:
            if other is target or not other.short_answer or set(other.tags) & set(target.tags):
                continue
            result = grader.grade(target, other.short_answer)
            if result.covered or result.score >= grader.thresholds.partial:
                point = result.covered[0] if result.covered else "its key points"
                out.append(
                    RubricWarning(
                        target.id,
                        ("key_points",),
                        f"the short answer of {other.id} (another topic) earns credit here "
                        f"('{point}'): its keywords are too generic",
                    )
                )
                break
    return out


def rubric_problems(decks: Sequence[tuple[Path, Deck]]) -> list[Problem]:
    """The rubric warnings of checked decks, each at its file and line."""
    items = [item for _, deck in decks for item in deck.items]
    if not items:
        return []
    where: dict[str, tuple[Located, int]] = {}
    for path, _deck in decks:
        located = load_located(path)
        raw = located.data.get("items", []) if isinstance(located.data, dict) else []
        for index, entry in enumerate(raw if isinstance(raw, list) else []):
            if isinstance(entry, dict) and "id" in entry:
                where[str(entry["id"])] = (located, index)
    problems: list[Problem] = []
    for warning in lint_items(items):
        located, index = where[warning.item_id]
        loc = ("items", index, *warning.loc)
        problems.append(
            Problem(located.path, located.line(loc), field_name(loc), warning.message, "warning")
        )
    return problems


def check_with_rubrics(paths: Sequence[Path], tags: dict[str, str] | None = None) -> CheckResult:
    """What `content check` reports: the checker's problems and the rubric warnings.

    Loading the bank at start-up runs only the checker: the rubric lint grades every
    item's answers against the others (seconds for the shipped bank) and only warns."""
    result = check_paths(paths, tags=tags)
    rubric = rubric_problems(result.decks)
    result.problems = sorted([*result.problems, *rubric])
    result.rubric_warnings = len(rubric)
    return result

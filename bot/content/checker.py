"""Validate deck files and report every problem at once as `file:line: field: message`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError
from rapidfuzz import process

from bot.content.schema import (
    DEFINITION_MAX,
    POLL_OPTION_MAX,
    POLL_QUESTION_MAX,
    Deck,
    Item,
    ItemType,
)
from bot.content.yamlmap import Located, load_located
from bot.errors import ContentError

TAGS_FILE = "tags.yaml"
DECKS_DIR = "decks"


@dataclass(frozen=True, order=True)
class Problem:
    """One finding in a deck file."""

    path: Path
    line: int
    field: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


@dataclass
class CheckResult:
    """Decks that parsed, and every problem found on the way."""

    decks: list[tuple[Path, Deck]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rubric_warnings: int = 0  # of the warnings, those about grading rubrics

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def field_name(loc: Sequence[str | int]) -> str:
    """Render a pydantic location as `items[3].key_points[0].text`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "deck"


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "string_type" and isinstance(error.get("input"), bool | int | float):
        # YAML reads bare on/off/yes/no and numbers as non-strings.
        return f"expected text, found {error['input']!r}: quote it in the YAML"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def load_tags(content_dir: Path) -> dict[str, str]:
    """Read the controlled tag vocabulary (`tags.yaml`: tag -> one-line description)."""
    path = content_dir / TAGS_FILE
    if not path.exists():
        return {}
    located = load_located(path)
    if not isinstance(located.data, dict):
        raise ContentError(f"{path}:1: tags: expected a mapping of tag to description")
    return {str(k): str(v) for k, v in located.data.items()}


def deck_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their deck files (a content dir means its `decks/` folder)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            base = path / DECKS_DIR if (path / DECKS_DIR).is_dir() else path
            files.extend(sorted(base.glob("*.yaml")) + sorted(base.glob("*.yml")))
        else:
            files.append(path)
    return files


def find_content_dir(path: Path) -> Path | None:
    """The folder holding `tags.yaml` at or above `path`."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if (folder / TAGS_FILE).exists():
            return folder
    return None


class Checker:
    """Collects problems across many deck files (duplicate ids span decks)."""

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags
        self.result = CheckResult()
        self._seen_ids: dict[str, tuple[Path, int]] = {}

    def add(self, path: Path, line: int, loc: str, message: str, warning: bool = False) -> None:
        severity: Literal["error", "warning"] = "warning" if warning else "error"
        self.result.problems.append(Problem(path, line, loc, message, severity))

    def check_file(self, path: Path) -> Deck | None:
        try:
            located = load_located(path)
        except ContentError as exc:
            self.result.problems.append(_problem_from_text(path, str(exc)))
            return None
        if not isinstance(located.data, dict):
            self.add(path, 1, "deck", "expected a mapping with id, title, ... and items")
            return None
        raw_items = located.data.get("items", [])
        if not isinstance(raw_items, list):
            self.add(path, located.line(["items"]), "items", "expected a list of items")
            raw_items = []
        header = {k: v for k, v in located.data.items() if k != "items"}
        try:
            deck = Deck.model_validate({**header, "items": []})
        except ValidationError as exc:
            self._pydantic(located, exc, prefix=())
            # The items are still checked, so one run shows every problem.
            for index, raw in enumerate(raw_items):
                try:
                    Item.model_validate(raw)
                except ValidationError as item_exc:
                    self._pydantic(located, item_exc, prefix=("items", index))
            return None
        if deck.tags and deck.published:
            self.add(
                path,
                located.line(["tags"]),
                "tags",
                "a published deck cannot define its own tags; move them to tags.yaml",
            )
        items: list[Item] = []
        for index, raw in enumerate(raw_items):
            try:
                item = Item.model_validate(raw)
            except ValidationError as exc:
                self._pydantic(located, exc, prefix=("items", index))
                continue
            self._check_item(located, deck, index, item)
            items.append(item)
        deck = deck.model_copy(update={"items": items})
        self.result.decks.append((path, deck))
        return deck

    def _pydantic(
        self, located: Located, exc: ValidationError, prefix: tuple[str | int, ...]
    ) -> None:
        for error in exc.errors():
            loc = (*prefix, *error["loc"])
            self.add(located.path, located.line(loc), field_name(loc), _message(error))

    def _check_item(self, located: Located, deck: Deck, index: int, item: Item) -> None:
        def at(*loc: str | int) -> tuple[int, str]:
            full = ("items", index, *loc)
            return located.line(full), field_name(full)

        path = located.path
        if item.deck_id != deck.id:
            self.add(path, *at("id"), f"item id must start with the deck id '{deck.id}/'")
        if item.id in self._seen_ids:
            other, other_line = self._seen_ids[item.id]
            self.add(
                path, *at("id"), f"duplicate item id '{item.id}' (also at {other}:{other_line})"
            )
        else:
            self._seen_ids[item.id] = (path, at("id")[0])
        known = self.tags | deck.tags
        if known:
            for t_index, tag in enumerate(item.tags):
                if tag not in known:
                    close = [m[0] for m in process.extract(tag, list(known), limit=3)]
                    hint = f"; closest: {', '.join(close)}" if close else ""
                    self.add(path, *at("tags", t_index), f"unknown tag '{tag}'{hint}")
        if deck.published:
            self._check_published(path, at, item)
        if len(item.question) > POLL_QUESTION_MAX and item.type in (
            ItemType.MCQ,
            ItemType.FLASHCARD,
        ):
            self.add(
                path,
                *at("question"),
                f"{len(item.question)} characters; a Telegram quiz poll allows {POLL_QUESTION_MAX}",
                warning=True,
            )
        for o_index, option in enumerate(item.options or ()):
            if len(option.text) > POLL_OPTION_MAX:
                self.add(
                    path,
                    *at("options", o_index, "text"),
                    f"{len(option.text)} characters; a Telegram poll option allows "
                    f"{POLL_OPTION_MAX}",
                    warning=True,
                )

    def _check_published(self, path: Path, at: Callable[..., tuple[int, str]], item: Item) -> None:
        for name in ("answer", "short_answer"):
            if not getattr(item, name).strip():
                self.add(
                    path,
                    *at(name if name in item.model_fields_set else "id"),
                    f"'{name}' is required in a published deck",
                )
        if len(item.key_points) < 2:
            loc = "key_points" if "key_points" in item.model_fields_set else "id"
            self.add(path, *at(loc), "a published item needs 2-6 key_points")
        for k_index, point in enumerate(item.key_points):
            if not point.keywords:
                self.add(
                    path,
                    *at("key_points", k_index),
                    "key point has no keywords (the grader needs them)",
                )
        if item.type is ItemType.FLASHCARD:
            if not item.definition:
                self.add(path, *at("id"), "a published flashcard needs a 'definition'")
            elif len(item.definition) > DEFINITION_MAX:
                self.add(
                    path,
                    *at("definition"),
                    f"{len(item.definition)} characters; at most {DEFINITION_MAX}",
                )
        if item.source is None:
            self.add(path, *at("id"), "a published item needs a 'source'")


def _problem_from_text(path: Path, text: str) -> Problem:
    # ContentError text is already `file:line: field: message`.
    rest = text.removeprefix(f"{path}:")
    line_text, _, tail = rest.partition(": ")
    field_text, _, message = tail.partition(": ")
    line = int(line_text) if line_text.isdigit() else 1
    return Problem(path, line, field_text or "file", message or text)


def check_paths(paths: Sequence[Path], tags: dict[str, str] | None = None) -> CheckResult:
    """Check every deck under `paths`; tags come from the nearest `tags.yaml`."""
    files = deck_files(paths)
    if tags is None:
        tags = {}
        for path in paths:
            content_dir = find_content_dir(path)
            if content_dir is not None:
                tags = load_tags(content_dir)
                break
    checker = Checker(tags)
    for file in files:
        checker.check_file(file)
    from bot.content.rubric import rubric_problems  # the grader is heavy; checks need it last

    rubric = rubric_problems(checker.result.decks)
    checker.result.problems += rubric
    checker.result.rubric_warnings = len(rubric)
    checker.result.problems.sort()
    return checker.result

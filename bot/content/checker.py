"""Validate deck files and report every problem at once as `file:line: field: message`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from rapidfuzz import process

from bot.content.schema import (
    DECK_ID_RE,
    DEFINITION_MAX,
    FOLLOW_UP_MAX,
    ITEM_ID_RE,
    POLL_OPTION_MAX,
    POLL_QUESTION_MAX,
    SOURCE_REF_RE,
    Deck,
    Item,
    ItemType,
    KeyPoint,
    Misconception,
    Option,
    Source,
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


#: The model each nested field holds, to name the fields allowed where one is unknown.
NESTED: dict[str, type[BaseModel]] = {
    "items": Item,
    "key_points": KeyPoint,
    "options": Option,
    "source": Source,
    "misconceptions": Misconception,
}
#: Regex constraints, in words.
PATTERNS = {
    ITEM_ID_RE: "id must look like deck-id/slug: lower-case letters, digits, '.', '_' or '-'",
    DECK_ID_RE: "id must be lower-case letters, digits, '.', '_' or '-' (e.g. hosni-dl)",
    SOURCE_REF_RE: "ref must be Q<number>, 'card <number>' or a label of letters, digits, "
    "spaces and . _ : # / - that starts with a letter or digit",
}
#: The fields the item-type rules look at.
TYPE_FIELDS = frozenset({"options", "term", "definition"})
LANGUAGE_WORDS = "language must be a BCP 47 tag such as en or pt-BR"
UNION_TAG = re.compile(r"^(constrained-str|str|[A-Z]\w*)$")


def _found(value: object) -> str:
    """A short description of a YAML value for 'found ...'."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _allowed(model: type[BaseModel], name: str) -> str:
    fields = list(model.model_fields)
    close = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; allowed: {', '.join(fields)}"


def _message(error: Any, root: type[BaseModel] = Item) -> str:
    """A pydantic error in words a deck author understands."""
    kind = str(error["type"])
    loc = [part for part in error["loc"] if not (isinstance(part, str) and UNION_TAG.match(part))]
    names = [part for part in loc if isinstance(part, str)]
    name = names[-1] if names else "value"
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        model = NESTED.get(names[-2], root) if len(names) > 1 else root
        return f"unknown field '{name}'{_allowed(model, name)}"
    if kind == "missing":
        return f"required field '{name}' is missing"
    if kind in ("enum", "literal_error"):
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{name} must be one of {', '.join(choices)}, found {_found(value)}"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        words = PATTERNS.get(pattern, LANGUAGE_WORDS if name == "language" else "")
        return f"{words or name + ' is not in the expected form'}; found {_found(value)}"
    if kind == "string_too_short":
        return f"{name} must not be empty"
    if kind == "too_long":
        return f"{ctx.get('actual_length')} entries; at most {ctx.get('max_length')} allowed"
    if kind == "too_short":
        return f"{ctx.get('actual_length')} entries; at least {ctx.get('min_length')} needed"
    if kind == "string_type":
        if isinstance(value, bool | int | float):
            # YAML reads bare on/off/yes/no and numbers as non-strings.
            return f"expected text, found {value!r}: quote it in the YAML"
        return f"expected text, found {_found(value)}"
    if kind == "list_type":
        return f"expected a list such as [a, b], found {_found(value)}"
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping of 'field: value' lines, found {_found(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, found {_found(value)}"
    return str(error["msg"]).removeprefix("Value error, ")


def _value_at(data: object, loc: Sequence[str | int]) -> object:
    """The raw YAML value at `loc` (None when the path does not exist)."""
    for part in loc:
        if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
            continue
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def _relevant(errors: Iterable[Any], raw: object) -> list[Any]:
    """Errors of a union (`str | Misconception`) only for the branch the value was meant for:
    a mapping is checked as a model, anything else as text; the branch tag leaves the loc."""
    out: list[Any] = []
    for error in errors:
        loc = tuple(error["loc"])
        tags = [i for i, part in enumerate(loc) if isinstance(part, str) and UNION_TAG.match(part)]
        if tags:
            at = tags[0]
            is_model = str(loc[at])[:1].isupper()
            if is_model != isinstance(_value_at(raw, loc[:at]), Mapping):
                continue
            error = {**error, "loc": loc[:at] + loc[at + 1 :]}
        out.append(error)
    return out


@dataclass(frozen=True)
class _DeckFacts:
    """What item checks need from the deck header, even when the header is invalid."""

    id: str | None
    tags: Mapping[str, str]
    published: bool

    @classmethod
    def from_raw(cls, header: Mapping[str, Any]) -> _DeckFacts:
        deck_id = header.get("id")
        tags = header.get("tags")
        status = header.get("status", "published")
        return cls(
            deck_id if isinstance(deck_id, str) else None,
            {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {},
            status == "published",
        )


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
        deck: Deck | None = None
        try:
            deck = Deck.model_validate({**header, "items": []})
        except ValidationError as exc:
            self._pydantic(located, exc, prefix=(), root=Deck)
        facts = _DeckFacts.from_raw(header)
        if deck is not None and deck.tags and deck.published:
            self.add(
                path,
                located.line(["tags"]),
                "tags",
                "a published deck cannot define its own tags; move them to tags.yaml",
            )
        # Every item is checked whatever the header or its own schema errors, so one run
        # shows every problem.
        items = [
            item
            for index, raw in enumerate(raw_items)
            if (item := self._check_raw_item(located, facts, index, raw)) is not None
        ]
        if deck is None:
            return None
        deck = deck.model_copy(update={"items": items})
        self.result.decks.append((path, deck))
        return deck

    def _pydantic(
        self,
        located: Located,
        exc: ValidationError,
        prefix: tuple[str | int, ...],
        root: type[BaseModel] = Item,
    ) -> None:
        raw = _value_at(located.data, prefix)
        errors = _relevant(exc.errors(), raw)
        for error in errors:
            loc = (*prefix, *error["loc"])
            self.add(located.path, located.line(loc), field_name(loc), _message(error, root))
            if error["type"] in ("too_long", "too_short"):
                self._list_entries(located, loc)

    def _list_entries(self, located: Located, loc: tuple[str | int, ...]) -> None:
        """A list of the wrong length hides its entries' errors; check them one by one."""
        model = NESTED.get(str(loc[-1]))
        entries = _value_at(located.data, loc)
        if model is None or not isinstance(entries, list):
            return
        for index, entry in enumerate(entries):
            try:
                model.model_validate(entry)
            except ValidationError as exc:
                self._pydantic(located, exc, (*loc, index), root=model)

    def _check_raw_item(
        self, located: Located, deck: _DeckFacts, index: int, raw: object
    ) -> Item | None:
        """Schema, id, tag and content checks of one item; the item when it is valid."""
        try:
            item = Item.model_validate(raw)
        except ValidationError as exc:
            self._pydantic(located, exc, prefix=("items", index))
            if isinstance(raw, Mapping):
                self._check_identity(located, deck, index, raw)
                self._check_salvaged(located, deck, index, raw, exc)
            return None
        if isinstance(raw, Mapping):
            self._check_identity(located, deck, index, raw)
        self._check_item(located, deck, index, item)
        return item

    def _check_salvaged(
        self,
        located: Located,
        deck: _DeckFacts,
        index: int,
        raw: Mapping[str, Any],
        exc: ValidationError,
    ) -> None:
        """Check what remains of an invalid item once its invalid fields are set aside: the
        errors those fields hid (type rules, published rules, poll limits) appear too."""
        errors = exc.errors()
        dropped = frozenset(str(error["loc"][0]) for error in errors if error["loc"])
        if "type" in dropped:
            return  # every other rule depends on the type
        cleaned = {k: v for k, v in raw.items() if k not in dropped}
        if "id" in dropped:
            cleaned["id"] = "x/x"  # reported already; identity checks used the raw id
        if "question" in dropped:
            cleaned["question"] = "?"
        try:
            item = Item.model_validate(cleaned)
        except ValidationError as hidden:
            said = any(not error["loc"] for error in errors)  # the type rule spoke already
            if not said and not dropped & TYPE_FIELDS:
                self._pydantic(located, hidden, prefix=("items", index))
            if any(error["loc"] for error in hidden.errors()):
                return
            # Only a type rule fails: check the rest as an open question would be.
            cleaned = {k: v for k, v in cleaned.items() if k not in TYPE_FIELDS}
            dropped |= TYPE_FIELDS
            try:
                item = Item.model_validate({**cleaned, "type": ItemType.OPEN.value})
            except ValidationError:
                return
        self._check_item(located, deck, index, item, dropped)

    def _check_identity(
        self, located: Located, deck: _DeckFacts, index: int, raw: Mapping[str, Any]
    ) -> None:
        """Id and tag checks, from the raw item so that schema errors never hide them."""
        path = located.path
        item_id = raw.get("id")
        if isinstance(item_id, str) and item_id:
            line = located.line(("items", index, "id"))
            loc = field_name(("items", index, "id"))
            if deck.id is not None and "/" in item_id and item_id.split("/", 1)[0] != deck.id:
                self.add(path, line, loc, f"item id must start with the deck id '{deck.id}/'")
            if item_id in self._seen_ids:
                other, other_line = self._seen_ids[item_id]
                self.add(
                    path, line, loc, f"duplicate item id '{item_id}' (also at {other}:{other_line})"
                )
            else:
                self._seen_ids[item_id] = (path, line)
        tags = raw.get("tags")
        known = {**self.tags, **deck.tags}
        if not known or not isinstance(tags, list):
            return
        for t_index, tag in enumerate(tags):
            if isinstance(tag, str) and tag.strip() and tag not in known:
                close = [m[0] for m in process.extract(tag, list(known), limit=3)]
                hint = f"; closest: {', '.join(close)}" if close else ""
                full = ("items", index, "tags", t_index)
                self.add(path, located.line(full), field_name(full), f"unknown tag '{tag}'{hint}")

    def _check_item(
        self,
        located: Located,
        deck: _DeckFacts,
        index: int,
        item: Item,
        dropped: frozenset[str] = frozenset(),
    ) -> None:
        """Published-deck rules and poll limits; `dropped` fields were invalid, not absent."""

        def at(*loc: str | int) -> tuple[int, str]:
            full = ("items", index, *loc)
            return located.line(full), field_name(full)

        path = located.path
        if deck.published:
            self._check_published(path, at, item, dropped)
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

    def _check_published(
        self,
        path: Path,
        at: Callable[..., tuple[int, str]],
        item: Item,
        dropped: frozenset[str] = frozenset(),
    ) -> None:
        for name in ("answer", "short_answer"):
            if name not in dropped and not getattr(item, name).strip():
                self.add(
                    path,
                    *at(name if name in item.model_fields_set else "id"),
                    f"'{name}' is required in a published deck",
                )
        if "key_points" not in dropped and len(item.key_points) < 2:
            loc = "key_points" if "key_points" in item.model_fields_set else "id"
            self.add(path, *at(loc), "a published item needs 2-6 key_points")
        for k_index, point in enumerate(item.key_points):
            if not point.keywords:
                self.add(
                    path,
                    *at("key_points", k_index),
                    "key point has no keywords (the grader needs them)",
                )
            if point.follow_up is not None:
                self._check_follow_up(path, at, item, k_index, point.follow_up)
        if item.type is ItemType.FLASHCARD and "definition" not in dropped:
            if not item.definition:
                self.add(path, *at("id"), "a published flashcard needs a 'definition'")
            elif len(item.definition) > DEFINITION_MAX:
                self.add(
                    path,
                    *at("definition"),
                    f"{len(item.definition)} characters; at most {DEFINITION_MAX}",
                )
        if item.source is None and "source" not in dropped:
            self.add(path, *at("id"), "a published item needs a 'source'")

    def _check_follow_up(
        self,
        path: Path,
        at: Callable[..., tuple[int, str]],
        item: Item,
        k_index: int,
        text: str,
    ) -> None:
        """A follow-up is a short question of its own, only on open and coding items."""
        where = at("key_points", k_index, "follow_up")
        if item.type not in (ItemType.OPEN, ItemType.CODING):
            self.add(path, *where, "only open and coding items have follow-ups")
        if not text.strip().endswith("?"):
            self.add(path, *where, "a follow-up is a question (end it with '?')")
        if len(text) > FOLLOW_UP_MAX:
            self.add(path, *where, f"{len(text)} characters; at most {FOLLOW_UP_MAX}")
        if text.strip().lower() in {item.question.strip().lower(), item.answer.strip().lower()}:
            self.add(path, *where, "a follow-up repeats the question or the answer")


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
    checker.result.problems.sort()
    return checker.result

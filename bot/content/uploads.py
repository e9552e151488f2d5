"""Decks uploaded in a chat: bytes in any known format to one validated deck, or every
problem with its line. Pure and synchronous: the service runs it off the event loop."""

from __future__ import annotations

import json
import logging
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content.checker import Checker, field_name
from bot.content.importers import detect_format_confidence
from bot.content.importers.apkg import is_package, parse_apkg
from bot.content.importers.draft import ImportResult, dump_deck, to_deck
from bot.content.importers.flashcards import parse_flashcard_lines
from bot.content.importers.markdown import parse_markdown
from bot.content.importers.tables import parse_anki, parse_csv, parse_mcq_csv
from bot.content.schema import POLL_QUESTION_MAX, Deck, Item, ItemType
from bot.errors import ContentError, ImportFormatError

log = logging.getLogger(__name__)

#: What `/deck add ... format:` accepts; "auto" detects.
UPLOAD_FORMATS = (
    "auto", "yaml", "markdown", "csv", "mcq-csv", "anki-txt", "apkg", "flashcard-lines",
)
#: How far ahead the best-scoring format must be to be picked without being named.
CLEAR_MARGIN = 1.5
#: Most problems listed for one file (the rest are counted).
MAX_PROBLEMS = 30


@dataclass(frozen=True)
class UploadProblem:
    """One thing wrong with an uploaded file; line 0 when it concerns the whole file."""

    line: int
    message: str


class UploadRejected(ContentError):
    """The file cannot become a deck; `problems` says why, each with its line."""

    def __init__(self, problems: list[UploadProblem], candidates: tuple[str, ...] = ()) -> None:
        self.problems = problems
        self.candidates = candidates
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems[:3]))


@dataclass
class ParsedUpload:
    """A deck ready to store: the model, its YAML, the format read and what to tell."""

    deck: Deck
    body: str  # the deck as JSON, as stored
    format: str
    warnings: list[str] = field(default_factory=list)

    @property
    def by_type(self) -> dict[str, int]:
        counts = Counter(item.type.value for item in self.deck.items)
        return {kind.value: counts[kind.value] for kind in ItemType if counts[kind.value]}

    @property
    def no_answer(self) -> int:
        return sum(1 for item in self.deck.items if "no_answer" in item.flags)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRejected([UploadProblem(0, "the file is not UTF-8 text")]) from exc


def _yaml_mapping(text: str) -> dict[str, Any] | None:
    """The document as a prepbot deck mapping, or None when it is not one."""
    if not re.search(r"^items\s*:", text, re.M):
        return None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}  # looks like a deck: the checker reports the syntax error with its line
    return data if isinstance(data, dict) else None


def _flashcards(text: str) -> ImportResult:
    return parse_flashcard_lines(text)[0]


PARSERS: dict[str, Callable[[str], ImportResult]] = {
    "markdown": parse_markdown,
    "csv": parse_csv,
    "mcq-csv": parse_mcq_csv,
    "anki-txt": parse_anki,
    "flashcard-lines": _flashcards,
}
#: Formats any text can be forced into count for less when scored.
WEAK = {"flashcard-lines": 0.5}


def _score(result: ImportResult) -> float:
    """Questions recovered with an answer or options; a question alone counts a third."""
    full = sum(1 for item in result.items if item.answer.strip() or item.options)
    return full + (len(result.items) - full) / 3


def detect(text: str, filename: str) -> tuple[str, ImportResult | None]:
    """Score every text format and pick one only with a clear margin; else refuse, naming
    the candidates."""
    if _yaml_mapping(text) is not None:
        return "yaml", None
    suffix = Path(filename).suffix.lower()
    # The structural guess of `content import` (headers, Anki's #keys, bold questions) counts
    # double: structure found is stronger evidence than items recovered.
    guess, confidence = detect_format_confidence(text, filename)
    scored: list[tuple[float, str, ImportResult]] = []
    for name, parser in PARSERS.items():
        try:
            result = parser(text)
        except (ImportFormatError, ValueError, IndexError):
            continue
        score = _score(result) * WEAK.get(name, 1.0)
        if name == guess and confidence == "high":
            score *= 2
        if suffix in (".md", ".markdown") and name == "markdown":
            score *= 1.2
        if suffix in (".csv", ".tsv") and name in ("csv", "mcq-csv"):
            score *= 1.2
        if score > 0:
            scored.append((score, name, result))
    scores = {name: score for score, name, _ in scored}
    results = {name: result for _, name, result in scored}
    best = choose(scores)
    if best in WEAK and not (best == guess and confidence == "high"):
        # Alternating lines fit any text: without structure it is only a guess.
        raise UploadRejected(
            [UploadProblem(0, f"no clear format; name one of: {', '.join(UPLOAD_FORMATS[1:])}")],
            tuple(scores),
        )
    return best, results[best]


def choose(scores: dict[str, float]) -> str:
    """The best-scoring format when it leads the next by CLEAR_MARGIN; else UploadRejected
    naming every candidate within that margin."""
    ranked = sorted(scores.items(), key=lambda entry: -entry[1])
    if not ranked or ranked[0][1] <= 0:
        raise UploadRejected([UploadProblem(0, "no questions found in any known format")])
    best, top = ranked[0]
    if len(ranked) > 1 and top < CLEAR_MARGIN * ranked[1][1]:
        close = tuple(name for name, score in ranked if score * CLEAR_MARGIN >= top)
        raise UploadRejected(
            [UploadProblem(0, f"the format is unclear; name one of: {', '.join(close)}")], close
        )
    return best


def _check(mapping: dict[str, Any], lines: dict[int, int]) -> tuple[Deck, list[str]]:
    """Validate the mapping item by item (pydantic, no YAML round trip: 2,000 items must
    take well under a second); problems on the source's lines."""
    problems: list[UploadProblem] = []
    items: list[Item] = []
    for index, entry in enumerate(mapping["items"]):
        try:
            items.append(Item.model_validate(entry))
        except ValidationError as exc:
            line = lines.get(index, 0)
            for error in exc.errors():
                where = field_name(("items", index, *error["loc"]))
                problems.append(UploadProblem(line, f"{where}: {error['msg']}"))
    if problems:
        raise UploadRejected(problems)
    header = {key: value for key, value in mapping.items() if key != "items"}
    try:
        deck = Deck.model_validate({**header, "items": []}).model_copy(update={"items": items})
    except ValidationError as exc:
        raise UploadRejected(
            [UploadProblem(0, f"{field_name(e['loc'])}: {e['msg']}") for e in exc.errors()]
        ) from exc
    warnings = [
        f"line {lines.get(index, 0)}: question longer than a poll allows ({POLL_QUESTION_MAX})"
        for index, item in enumerate(items)
        if item.type is not ItemType.OPEN and len(item.question) > POLL_QUESTION_MAX
    ]
    return deck, warnings


def _from_yaml(text: str, deck_id: str, name: str) -> tuple[dict[str, Any], dict[int, int]]:
    """A prepbot deck, moved under `deck_id` (its item ids namespaced by it)."""
    with tempfile.TemporaryDirectory(prefix="prepbot-deck-") as folder:
        path = Path(folder, "upload.yaml")
        path.write_text(text, encoding="utf-8")
        checker = Checker(tags={})
        checker.check_file(path)
    errors = [
        UploadProblem(p.line, f"{p.field}: {p.message}")
        for p in checker.result.problems
        if p.severity == "error"
    ]
    if errors:
        raise UploadRejected(errors)
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    items = []
    for raw in data.get("items") or []:
        local = str(raw.get("id", "")).split("/", 1)[-1]
        items.append({**raw, "id": f"{deck_id}/{local}"})
    mapping = {**data, "id": deck_id, "items": items, "tags": {}}
    mapping["title"] = str(data.get("title") or name)
    return mapping, {}


#: An @ that could mention someone (@everyone, @here, @name, <@123>) on a chat platform.
MENTION = re.compile(r"@(?=[\w&!])")


#: A markdown link, and a URL's scheme separator.
LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]*)\)")
SCHEME = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*):(?=//)")


def _inert(value: Any) -> Any:
    """Uploaded text is data: every string with its mentions broken (a zero-width space
    after the @) and its links shown as text, so no platform renders a mention or a live
    link from a deck."""
    if isinstance(value, str):
        text = LINK.sub(r"\1 (\2)", value)
        text = SCHEME.sub("\\1:\u200b", text)
        return MENTION.sub("@\u200b", text)
    if isinstance(value, list):
        return [_inert(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _inert(entry) for key, entry in value.items()}
    return value


def parse_upload(
    data: bytes, filename: str, fmt: str, deck_id: str, max_items: int
) -> ParsedUpload:
    """The uploaded bytes as one deck with id `deck_id`; UploadRejected lists every problem."""
    if fmt not in UPLOAD_FORMATS:
        known = ", ".join(UPLOAD_FORMATS)
        raise UploadRejected([UploadProblem(0, f"unknown format {fmt!r}; choose one of: {known}")])
    name = Path(filename).name or "upload"
    result: ImportResult | None = None
    try:
        if fmt == "apkg" or (fmt == "auto" and is_package(data)):
            fmt, result = "apkg", parse_apkg(data)
        else:
            text = _decode(data)
            if fmt == "auto":
                fmt, result = detect(text, name)
            elif fmt != "yaml":
                result = PARSERS[fmt](text)
    except ImportFormatError as exc:
        raise UploadRejected([UploadProblem(exc.line or 0, str(exc).removeprefix(
            f"line {exc.line}: "))]) from exc
    if result is None:
        mapping, lines = _from_yaml(_decode(data), deck_id, name)
        notes: list[str] = []
    else:
        mapping = to_deck(result, deck_id, name)
        mapping["title"] = Path(name).stem or name
        mapping["tags"] = {}
        lines = {index: draft.line for index, draft in enumerate(result.items)}
        notes = [*result.notes, *result.skipped]
    count = len(mapping.get("items") or [])
    if count == 0:
        raise UploadRejected([UploadProblem(0, "no questions found")])
    if count > max_items:
        raise UploadRejected(
            [UploadProblem(0, f"{count} items; a deck holds at most {max_items}")]
        )
    mapping["status"] = "draft"  # uploaded decks carry no grading rubric requirements
    mapping["items"] = _inert(mapping["items"])
    deck, warnings = _check(mapping, lines)
    return ParsedUpload(deck, json.dumps(mapping, ensure_ascii=False), fmt, [*notes, *warnings])


def load_stored(text: str) -> Deck:
    """A stored deck (JSON, validated when it was added) back as a model."""
    return Deck.model_validate(json.loads(text))


def export_yaml(text: str) -> str:
    """A stored deck as prepbot deck YAML (what `/deck export` sends)."""
    return dump_deck(json.loads(text))

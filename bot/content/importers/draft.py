"""What every importer produces: draft items, and how they become a deck file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.content.schema import DEFINITION_MAX, slugify

DIFFICULTY_WORDS = {
    "easy": "easy",
    "beginner": "easy",
    "basic": "easy",
    "junior": "easy",
    "medium": "medium",
    "intermediate": "medium",
    "moderate": "medium",
    "mid": "medium",
    "hard": "hard",
    "advanced": "hard",
    "difficult": "hard",
    "expert": "hard",
    "senior": "hard",
}
DIFFICULTY_EMOJI = {"🟢": "easy", "🟡": "medium", "🟠": "medium", "🔴": "hard", "⭐": "easy"}


@dataclass
class DraftItem:
    """One recovered question, as found in the source."""

    question: str
    answer: str = ""
    ref: str = ""
    line: int = 0
    type: str = "open"
    tags: list[str] = field(default_factory=list)
    difficulty: str | None = None
    term: str | None = None
    definition: str | None = None
    options: list[dict[str, Any]] | None = None
    external_id: str | None = None


@dataclass
class ImportResult:
    """Items recovered, plus notes for the summary (skipped lines, guesses made)."""

    items: list[DraftItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    new_tags: dict[str, str] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """NFKC-normalise (bold-Unicode letters become ASCII) and trim trailing spaces per line."""
    text = unicodedata.normalize("NFKC", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).strip()


def split_difficulty(
    title: str, legend: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """Strip a trailing difficulty marker (emoji or word) from a heading; `legend` maps the
    document's own markers (from its legend) to levels."""
    stripped = title.strip()
    for mark, level in (legend or {}).items():
        if stripped.endswith(mark):
            return stripped[: -len(mark)].strip(), level
    for emoji, level in DIFFICULTY_EMOJI.items():
        if stripped.endswith(emoji):
            count = len(stripped) - len(stripped.rstrip(emoji))
            if emoji == "⭐":
                level = {1: "easy", 2: "medium"}.get(count, "hard")
            return stripped.rstrip(emoji).strip(), level
    match = re.search(r"[\s(\[{|–—-]+\(?\[?(\w+)\)?\]?\s*$", stripped)
    if match and match.group(1).lower() in DIFFICULTY_WORDS:
        return stripped[: match.start()].strip(), DIFFICULTY_WORDS[match.group(1).lower()]
    return stripped, None


def item_id(deck_id: str, draft: DraftItem, index: int) -> str:
    """A stable id from the source's own numbering or external id, never from question text."""
    if draft.external_id:
        return f"{deck_id}/{slugify(draft.external_id, 60)}"
    ref = draft.ref
    if match := re.fullmatch(r"Q(\d+)", ref):
        return f"{deck_id}/q{int(match.group(1)):02d}"
    if match := re.fullmatch(r"card (\d+)", ref):
        return f"{deck_id}/card-{int(match.group(1)):02d}"
    return f"{deck_id}/{slugify(ref) if ref else f'item-{index + 1:03d}'}"


#: A leading "Answer:" label (bold or not), which is layout, not answer text.
ANSWER_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?:answer|ans|a)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*", re.I
)
#: Bodies that only hold a place for an answer someone meant to write.
PLACEHOLDER = re.compile(
    r"(?:answers?(?:\s+(?:here|goes here|to come|pending))?|tbd|tba|todo|to do|n/?a|coming soon"
    r"|\.{2,}|…|-+|\?+)[\s.:!]*",
    re.I,
)


def clean_answer(text: str) -> str:
    """The answer without its leading `Answer:` label; empty when it is only a placeholder."""
    text = text.strip()
    if PLACEHOLDER.fullmatch(text.strip("*_ ")):
        return ""
    text = ANSWER_LABEL.sub("", text, count=1).strip()
    return "" if PLACEHOLDER.fullmatch(text.strip("*_ ")) or not text else text


def to_deck(
    result: ImportResult, deck_id: str, document: str, title: str | None = None
) -> dict[str, Any]:
    """Build a draft deck mapping that validates against the deck schema."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, draft in enumerate(result.items):
        ident = item_id(deck_id, draft, index)
        base, n = ident, 2
        while ident in seen:
            ident, n = f"{base}-{n}", n + 1
        seen.add(ident)
        entry: dict[str, Any] = {"id": ident, "type": draft.type, "question": draft.question}
        if draft.term is not None:
            entry["term"] = draft.term
            definition = draft.definition
            if definition and len(definition) <= DEFINITION_MAX:
                entry["definition"] = definition
        if draft.options is not None:
            entry["options"] = draft.options
        answer = clean_answer(draft.answer)
        if answer:
            entry["answer"] = answer
        if draft.tags:
            entry["tags"] = draft.tags
        if draft.difficulty:
            entry["difficulty"] = draft.difficulty
        if draft.ref:
            entry["source"] = {"document": document, "ref": draft.ref}
        flags = [] if answer or draft.options else ["no_answer"]
        if flags:
            entry["flags"] = flags
        items.append(entry)
    deck: dict[str, Any] = {
        "id": deck_id,
        "title": title or f"Imported from {document}",
        "language": "en",
        "license": "NOASSERTION",
        "attribution": f"Imported from {document}; check its licence before publishing.",
        "status": "draft",
    }
    if result.new_tags:
        deck["tags"] = dict(sorted(result.new_tags.items()))
    deck["items"] = items
    return deck


#: libyaml's emitter when PyYAML has it: the pure-Python one takes seconds for 2,000 items.
_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _BlockDumper(_SAFE_DUMPER):  # type: ignore[valid-type,misc]
    """Dump multi-line strings as `|` blocks so decks stay readable and diffable."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        # Trailing spaces or tabs force quoted style in PyYAML; strip them per line.
        data = "\n".join(line.rstrip() for line in data.splitlines())
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_BlockDumper.add_representer(str, _str_representer)


def dump_deck(deck: dict[str, Any]) -> str:
    """Serialise a deck mapping as YAML with block scalars."""
    return yaml.dump(deck, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)

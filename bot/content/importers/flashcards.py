"""Alternating front/back lines, one card per pair, with an optional title line."""

from __future__ import annotations

import re

from bot.content.importers.draft import DraftItem, ImportResult, clean_text
from bot.content.schema import DEFINITION_MAX

QUESTION_START = re.compile(
    r"^(what|why|how|when|where|which|who|is|are|does|do|can|could|should|would|will|"
    r"explain|describe|discuss|list|name|give|mention|write|compare|define|"
    r"in\b|if\b)\b",
    re.IGNORECASE,
)


def looks_like_question(front: str) -> bool:
    """A front that asks something (vs a bare term such as 'ReLU')."""
    front = front.strip()
    return front.endswith("?") or bool(QUESTION_START.match(front)) or len(front.split()) > 8


def parse_flashcard_lines(text: str) -> tuple[ImportResult, str | None]:
    """Cards from alternating lines; an odd line count means the first line is a title."""
    result = ImportResult()
    lines = [line for line in clean_text(text).splitlines()]
    title: str | None = None
    offset = 1
    non_empty = [line for line in lines if line.strip()]
    if len(non_empty) != len(lines):
        result.notes.append(f"{len(lines) - len(non_empty)} blank line(s) ignored")
        lines = non_empty
    if len(lines) % 2 == 1:
        title, lines, offset = lines[0].strip(), lines[1:], 2
    for index in range(0, len(lines) - 1, 2):
        front, back = lines[index].strip(), lines[index + 1].strip()
        number = index // 2 + 1
        draft = DraftItem(question=front, answer=back, ref=f"card {number}", line=index + offset)
        if not looks_like_question(front):
            draft.type = "flashcard"
            draft.term = front
            draft.question = f"What is {front}?"
            if len(back) <= DEFINITION_MAX:
                draft.definition = back
        result.items.append(draft)
    return result, title

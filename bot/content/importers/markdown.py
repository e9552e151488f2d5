"""Markdown (or its rendered text): questions as headings, bold lines or numbered lines."""

from __future__ import annotations

import re

from bot.content.importers.draft import DraftItem, ImportResult, clean_text, split_difficulty
from bot.content.schema import slugify

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# A question number, with an optional Q and emoji or decoration before it: "Q12:", "12.", "⚔️ 41."
NUMBERED = re.compile(
    r"^[^\w\s#*]*\s*(?:Q(?:uestion)?\s*)?(\d{1,4})\s*[.:)]\s*(.+)$", re.IGNORECASE
)
BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*\s*$")


def _question_from(text: str) -> tuple[int | None, str] | None:
    """(number, text) when a heading or line reads as a question."""
    text = text.strip().strip("*").strip()
    if match := NUMBERED.match(text):
        return int(match.group(1)), match.group(2).strip()
    if split_difficulty(text)[0].endswith("?"):  # "What is X? 🔴" and "Why Y? (hard)" too
        return None, text
    return None


#: Words of a collection's own title ("Questions & Answers"), which name no topic.
TITLE_WORDS = frozenset(
    [
        "a",
        "all",
        "an",
        "and",
        "answer",
        "answers",
        "can",
        "deep",
        "faq",
        "find",
        "for",
        "in",
        "interview",
        "interviews",
        "learning",
        "of",
        "on",
        "q",
        "question",
        "questions",
        "the",
        "to",
        "top",
        "you",
        "your",
    ]
)


def _section_tag(name: str) -> str | None:
    """A topic tag for a section heading; None for titles, notes and long sentences."""
    words = re.findall(r"[a-z0-9+#]+", name.lower())
    if not words or len(words) > 4 or all(w in TITLE_WORDS or w.isdigit() for w in words):
        return None
    return slugify(name, 30) or None


def parse_markdown(text: str) -> ImportResult:
    """Split markdown into questions and their answers; section headings become tags."""
    result = ImportResult()
    lines = clean_text(text).splitlines()
    section_tag: str | None = None
    current: DraftItem | None = None
    body: list[str] = []
    last_number = 0
    question_level: int | None = None  # heading level of questions, when they are headings
    preamble = 0
    in_fence = False

    def flush() -> None:
        if current is not None:
            current.answer = "\n".join(body).strip()
            result.items.append(current)

    for lineno, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        question: tuple[int | None, str] | None = None
        heading = None if in_fence else HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            question = _question_from(heading.group(2))
            if question is not None:
                question_level = question_level or level
            else:
                # A heading that is not a question opens a section (a tag) when it stands
                # outside any answer or above the questions' own level; otherwise it is a
                # subheading (or, in rendered text, a code comment) inside an answer.
                if current is None or (question_level is not None and level <= question_level):
                    flush()
                    current, body = None, []
                    name = split_difficulty(heading.group(2))[0]
                    title = level == 1 and not result.items and section_tag is None
                    section_tag = None if title else _section_tag(name)
                    if section_tag:
                        result.new_tags.setdefault(section_tag, f"Section '{name}' of the import.")
                    continue
                body.append(line)
                continue
        elif in_fence or question_level is not None:
            pass  # once questions are headings, bold and numbered lines are answer text
        elif bold := BOLD_LINE.match(line):
            question = _question_from(bold.group(1))
        elif line == line.lstrip() and (numbered := NUMBERED.match(line)):
            # Plain "41. Question" lines count only in sequence, so numbered lists inside
            # answers are not mistaken for questions.
            listed = int(numbered.group(1))
            if listed == last_number + 1 or (last_number == 0 and current is None):
                question = listed, numbered.group(2).strip()
        if question is not None:
            flush()
            number, qtext = question
            qtext, difficulty = split_difficulty(qtext)
            if number is not None:
                last_number = number
            ref = f"Q{number}" if number is not None else f"line {lineno}"
            current = DraftItem(question=qtext, ref=ref, line=lineno, difficulty=difficulty)
            if section_tag:
                current.tags.append(section_tag)
            body = []
            continue
        if current is None:
            if line.strip():
                preamble += 1
            continue
        body.append(line)
    flush()
    if preamble:
        result.skipped.append(f"{preamble} line(s) before the first question")
    if not result.items:
        result.notes.append("no question headings found")
    return result

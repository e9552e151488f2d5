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
# A paragraph that opens with a bold question and goes on with its answer: "**Why?** Because."
BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*\s*(\S.*)$")
MAX_WRAP = 4  # lines a question paragraph may wrap over


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


def _paragraph_rest(lines: list[str], start: int) -> list[str]:
    """The lines after `start` in the same paragraph (up to a blank line), at most MAX_WRAP."""
    rest: list[str] = []
    for line in lines[start + 1 : start + 1 + MAX_WRAP]:
        if not line.strip() or HEADING.match(line) or line.lstrip().startswith("```"):
            break
        rest.append(line.strip())
    return rest


def _bold_question(lines: list[str], index: int) -> tuple[str, str, int] | None:
    """(question, answer text on its lines, lines used) for a bold question paragraph:
    `**Question?**` alone, wrapped over several lines, or followed by its answer."""
    line = lines[index].strip()
    if not line.startswith("**"):
        return None
    used = 1
    if line.count("**") < 2:  # the bold text wraps onto the next lines of the paragraph
        for extra in _paragraph_rest(lines, index):
            line += " " + extra
            used += 1
            if "**" in extra:
                break
        else:
            return None
    if bold := BOLD_LINE.match(line):
        inner, rest = bold.group(1), ""
    elif lead := BOLD_LEAD.match(line):
        inner, rest = lead.group(1), lead.group(2)
        if not split_difficulty(inner.strip().rstrip("*"))[0].endswith("?"):
            return None  # "**Note:** ..." is answer text; only a question leads a paragraph
    else:
        return None
    if _question_from(inner) is None:
        return None
    return inner, rest, used


def _wrapped_question(lines: list[str], index: int, text: str) -> tuple[str, int]:
    """A numbered question that wraps onto the next lines of its paragraph, joined."""
    if split_difficulty(text)[0].endswith("?"):
        return text, 1
    rest = _paragraph_rest(lines, index)
    for count in range(1, len(rest) + 1):
        if NUMBERED.match(rest[count - 1]) or BOLD_LINE.match(rest[count - 1]):
            break
        if split_difficulty(rest[count - 1])[0].endswith("?"):
            return " ".join([text, *rest[:count]]), 1 + count
    return text, 1


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

    index = 0
    while index < len(lines):
        lineno, line = index + 1, lines[index].rstrip()
        index += 1
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        question: tuple[int | None, str] | None = None
        lead = ""  # answer text on the question's own line ("**Why?** Because.")
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
        elif bold := _bold_question(lines, index - 1):
            inner, lead, used = bold
            question = _question_from(inner)
            index += used - 1
        elif line == line.lstrip() and (numbered := NUMBERED.match(line)):
            # Plain "41. Question" lines count only in sequence, so numbered lists inside
            # answers are not mistaken for questions; a question may skip a few numbers
            # when it stands as a paragraph of its own and reads as a question.
            listed = int(numbered.group(1))
            qtext = numbered.group(2).strip()
            skipped = (
                last_number < listed <= last_number + 3
                and (index < 2 or not lines[index - 2].strip())
                and split_difficulty(qtext)[0].endswith("?")
            )
            if listed == last_number + 1 or (last_number == 0 and current is None) or skipped:
                qtext, used = _wrapped_question(lines, index - 1, qtext)
                index += used - 1
                question = listed, qtext
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
            body = [lead] if lead else []
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

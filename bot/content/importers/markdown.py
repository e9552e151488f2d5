"""Markdown (or its rendered text): questions as headings, bold lines or numbered lines."""

from __future__ import annotations

import re

from bot.content.importers.draft import (
    DIFFICULTY_WORDS,
    DraftItem,
    ImportResult,
    clean_text,
    split_difficulty,
)
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


#: Words of navigation headings ("Table of Contents"), which name no topic either.
NAVIGATION_WORDS = frozenset(["table", "contents", "content", "toc", "index", "overview"])
#: A line that is only a link to an anchor of the document: a ToC entry, "Back to top".
ANCHOR_LINE = re.compile(r"^\s*(?:[-*+]\s+|\d{1,4}[.)]\s+)?\[[^\]]*\]\(#[^)]*\)\s*$")
#: `emoji = Easy`, `🟢 Easy`, `Easy: 🟢`: a difficulty legend entry near the top.
_MARK = r"([^\w\s\[\](){}*_#|:=.,;·-]{1,3})"
MARK_WORD = re.compile(_MARK + r"\s*[=:–—-]?\s*([A-Za-z]+)")
WORD_MARK = re.compile(r"([A-Za-z]+)\s*[=:–—-]?\s*" + _MARK)
LEGEND_LINES = 40


def difficulty_legend(lines: list[str]) -> dict[str, str]:
    """Markers (emoji) a document's legend maps to easy / medium / hard."""
    legend: dict[str, str] = {}
    for line in lines[:LEGEND_LINES]:
        # "🟢 Easy" first, then "Easy 🟢" for markers not paired yet.
        for pattern, mark_group, word_group in ((MARK_WORD, 1, 2), (WORD_MARK, 2, 1)):
            for match in pattern.finditer(line):
                mark, word = match.group(mark_group).strip(), match.group(word_group).lower()
                if word in DIFFICULTY_WORDS and mark not in legend:
                    legend[mark] = DIFFICULTY_WORDS[word]
    # One level only is not a legend (a stray emoji before a word).
    return legend if len(set(legend.values())) >= 2 else {}


IMG = re.compile(r"<img\b[^>]*>", re.I)
IMG_ALT = re.compile(r"""\balt=["']([^"']*)["']""", re.I)
IMG_SRC = re.compile(r"""\bsrc=["']?([^"'\s>]+)""", re.I)
BREAK = re.compile(r"<br\s*/?>", re.I)


def inline_html(body: str) -> str:
    """`<br/>` as line breaks and `<img>` as its alt text with a note, outside code."""
    out: list[str] = []
    notes: list[str] = []
    fenced = False
    for line in body.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced:
            line = BREAK.sub("\n", line)
            for tag in IMG.findall(line):
                alt = IMG_ALT.search(tag)
                src = IMG_SRC.search(tag)
                text = f"[image: {alt.group(1)}]" if alt and alt.group(1) else "[image]"
                line = line.replace(tag, text)
                notes.append(src.group(1) if src else "an image")
        out.append(line)
    text = "\n".join(out)
    if notes:
        text += f"\n\n(image not included: {', '.join(notes)})"
    return text


def _section_tag(name: str) -> str | None:
    """A topic tag for a section heading; None for titles, navigation, notes and long
    sentences."""
    words = re.findall(r"[a-z0-9+#]+", name.lower())
    ignored = TITLE_WORDS | NAVIGATION_WORDS
    if not words or len(words) > 4 or all(w in ignored or w.isdigit() for w in words):
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
    section_level: int | None = None  # heading level of sections, when questions are not
    preamble = 0
    in_fence = False

    legend = difficulty_legend(lines)

    def flush() -> None:
        if current is not None:
            kept = [line for line in body if not ANCHOR_LINE.match(line)]
            current.answer = inline_html("\n".join(kept).strip()).strip()
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
                opens = current is None or (
                    question_level is not None and level <= question_level
                ) or (question_level is None and section_level is not None
                      and level <= section_level)
                if opens:
                    if current is None or section_level is None:
                        section_level = level
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
        elif ANCHOR_LINE.match(line):
            continue  # a table-of-contents entry or "Back to top"
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
            qtext, difficulty = split_difficulty(qtext, legend)
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

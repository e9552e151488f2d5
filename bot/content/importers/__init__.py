"""Turn foreign question collections into draft decks."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from bot.content.importers.apkg import parse_apkg
from bot.content.importers.draft import ImportResult, to_deck
from bot.content.importers.flashcards import parse_flashcard_lines
from bot.content.importers.markdown import parse_markdown
from bot.content.importers.question_list import LIST_LINE, parse_question_list
from bot.content.importers.tables import QUESTION_COLUMNS, parse_anki, parse_csv, parse_mcq_csv
from bot.errors import ContentError, ImportFormatError

FORMATS = ("markdown", "question-list", "flashcard-lines", "csv", "mcq-csv", "anki-txt", "apkg")
#: Anki packages: a zip, read as bytes.
PACKAGE_SUFFIXES = (".apkg", ".colpkg")

__all__ = [
    "FORMATS",
    "ImportResult",
    "detect_format",
    "detect_format_confidence",
    "import_source",
    "read_question_file",
]


def detect_format(text: str, filename: str = "") -> str:
    """Guess the format of `text` from its name and its first lines."""
    return detect_format_confidence(text, filename)[0]


def detect_format_confidence(text: str, filename: str = "") -> tuple[str, str]:
    """(format, "high" or "low"): low when no structure matched and the guess is only the
    fallback (alternating front and back lines), which any text can be forced into."""
    fmt = _detect(text, filename)
    if fmt != "flashcard-lines":
        return fmt, "high"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # Real flashcard lines: a title, then short fronts and backs, no sentences running on.
    pairs = lines[1:]
    short = sum(1 for line in pairs[::2] if len(line) <= 80)
    fits = len(pairs) >= 2 and len(pairs) % 2 == 0 and short >= 0.9 * len(pairs[::2])
    return fmt, "high" if fits else "low"


def _detect(text: str, filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    head = text[:8192]
    lines = [line for line in head.splitlines() if line.strip()]
    if re.search(r"^#(separator|html|tags column|guid column|notetype column):", head, re.M):
        return "anki-txt"
    if suffix in (".csv", ".tsv") or (lines and lines[0].count("\t") >= 1 and suffix != ".md"):
        first = next(csv.reader(io.StringIO(lines[0] if lines else "")), [])
        lowered = {cell.strip().lower() for cell in first}
        if lowered & set(QUESTION_COLUMNS):
            return "csv"
        return "mcq-csv" if suffix in (".csv", ".tsv") else "anki-txt"
    listed = 0
    for line in lines[:60]:
        if LIST_LINE.match(line) and line.lstrip().startswith(("-", "*", "+", "Q", "q")):
            listed += 1
        elif listed:
            break
    if listed >= 3:
        return "question-list"
    if re.search(r"^#{1,6}\s", head, re.M) or re.search(r"^\*\*.+\*\*\s*$", head, re.M):
        return "markdown"
    if re.search(r"^\S*\s*\d{1,4}\s*[.:]\s*\S.*\?\s*$", head, re.M):
        return "markdown"
    return "flashcard-lines"


def read_question_file(path: Path) -> list[tuple[int, str]]:
    """A numbered question list (`1. ...` per line) for sources that lost their headings."""
    questions: list[tuple[int, str]] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = LIST_LINE.match(line)
        if not match:
            raise ImportFormatError(
                f"{path}: expected 'N. question', found {line[:60]!r}", line=lineno
            )
        questions.append((int(match.group(1)), match.group(2).strip()))
    return questions


def import_source(
    path: Path,
    deck_id: str,
    fmt: str = "auto",
    questions: list[tuple[int, str]] | None = None,
) -> tuple[dict[str, object], ImportResult, str]:
    """Parse `path` in `fmt` (or the detected one); returns (deck mapping, result, format)."""
    if fmt == "apkg" or (fmt == "auto" and path.suffix.lower() in PACKAGE_SUFFIXES):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ContentError(f"{path}: cannot read: {exc}") from exc
        packaged = parse_apkg(data)
        return to_deck(packaged, deck_id, path.name), packaged, "apkg"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc
    if fmt == "auto":
        fmt = "question-list" if questions else detect_format(text, path.name)
    if fmt not in FORMATS:
        raise ContentError(f"unknown format {fmt!r}; choose one of: auto, {', '.join(FORMATS)}")
    title: str | None = None
    parsers: dict[str, Callable[[str], ImportResult]] = {
        "markdown": parse_markdown,
        "csv": parse_csv,
        "mcq-csv": parse_mcq_csv,
        "anki-txt": parse_anki,
    }
    if fmt == "question-list":
        result = parse_question_list(text, questions)
    elif fmt == "flashcard-lines":
        result, title = parse_flashcard_lines(text)
    else:
        result = parsers[fmt](text)
    return to_deck(result, deck_id, path.name, title), result, fmt

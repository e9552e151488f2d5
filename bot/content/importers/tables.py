"""Tabular sources: CSV/TSV with a header, headerless MCQ rows, and Anki's text export."""

from __future__ import annotations

import csv
import io
import re

from markdownify import markdownify

from bot.content.importers.draft import DIFFICULTY_WORDS, DraftItem, ImportResult
from bot.content.schema import slugify
from bot.errors import ImportFormatError

QUESTION_COLUMNS = ("question", "front", "prompt", "q", "term", "text")
ANSWER_COLUMNS = ("answer", "back", "response", "a", "definition", "solution")
TAG_COLUMNS = ("tags", "tag", "topic", "topics", "category")
ID_COLUMNS = ("id", "guid", "uid", "key", "note id")
DIFFICULTY_COLUMNS = ("difficulty", "level")
MATH = re.compile(r"(\\\(.+?\\\)|\\\[.+?\\\]|\$\$.+?\$\$|\$[^$\n]+\$)", re.DOTALL)
HTML = re.compile(r"<[a-zA-Z/][^>]*>|&[a-z]+;|&#\d+;")


IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
IMG_ALT = re.compile(r"""\balt=["']([^"']*)["']""", re.I)
IMG_SRC = re.compile(r"""\bsrc=["']?([^"'\s>]+)""", re.I)
SOUND = re.compile(r"\[sound:([^\]]+)\]")


def _without_media(text: str) -> tuple[str, list[str]]:
    """Images as their alt text and sounds dropped; the files they named, for a note."""
    media: list[str] = []

    def image(match: re.Match[str]) -> str:
        src, alt = IMG_SRC.search(match.group(0)), IMG_ALT.search(match.group(0))
        media.append(src.group(1) if src else "an image")
        return f"[image: {alt.group(1)}]" if alt and alt.group(1).strip() else "[image]"

    def sound(match: re.Match[str]) -> str:
        media.append(match.group(1))
        return ""

    return SOUND.sub(sound, IMG_TAG.sub(image, text)), media


def html_to_markdown(text: str) -> str:
    """HTML to markdown, keeping MathJax spans exactly as they were; images become their
    alt text and media files a note (they are not part of the deck)."""
    text, media = _without_media(text)
    note = f"\n\n(media not included: {', '.join(media)})" if media else ""
    if not HTML.search(text):
        return text.strip() + note if text.strip() else ""
    spans: list[str] = []

    def hold(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"MATHSPAN{len(spans) - 1}X"

    protected = MATH.sub(hold, text)
    converted = markdownify(protected, heading_style="ATX", bullets="-").strip()
    for index, span in enumerate(spans):
        converted = converted.replace(f"MATHSPAN{index}X", span)
    converted = re.sub(r"\n{3,}", "\n\n", converted).strip()
    return converted + note if converted else ""


def _sniff(text: str) -> csv.Dialect | type[csv.Dialect]:
    sample = text[:4096]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        return csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _tags(value: str) -> list[str]:
    return [slugify(t, 30) for t in re.split(r"[,;\s]+", value) if t.strip()]


def parse_csv(text: str) -> ImportResult:
    """CSV or TSV with a header row naming question, answer, tags and id columns."""
    result = ImportResult()
    rows = list(csv.reader(io.StringIO(text), _sniff(text)))
    if not rows:
        raise ImportFormatError("the file is empty", line=1)
    header = rows[0]
    q_col = _find(header, QUESTION_COLUMNS)
    a_col = _find(header, ANSWER_COLUMNS)
    if q_col is None:
        raise ImportFormatError(
            f"no question column in the header {header!r}; expected one of "
            + ", ".join(QUESTION_COLUMNS),
            line=1,
        )
    t_col, i_col, d_col = (
        _find(header, names) for names in (TAG_COLUMNS, ID_COLUMNS, DIFFICULTY_COLUMNS)
    )
    for lineno, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if q_col >= len(row) or not row[q_col].strip():
            result.skipped.append(f"line {lineno}: no question")
            continue
        draft = DraftItem(
            question=html_to_markdown(row[q_col]),
            answer=html_to_markdown(row[a_col]) if a_col is not None and a_col < len(row) else "",
            ref=f"row {lineno}",
            line=lineno,
        )
        if t_col is not None and t_col < len(row):
            draft.tags = _tags(row[t_col])
        if i_col is not None and i_col < len(row) and row[i_col].strip():
            draft.external_id = row[i_col].strip()
        if d_col is not None and d_col < len(row):
            draft.difficulty = DIFFICULTY_WORDS.get(row[d_col].strip().lower())
        result.items.append(draft)
    for tag in {t for item in result.items for t in item.tags}:
        result.new_tags.setdefault(tag, "Imported tag.")
    return result


def parse_mcq_csv(text: str) -> ImportResult:
    """Headerless rows: question, 2-6 options, then the letter of the correct option."""
    result = ImportResult()
    for lineno, row in enumerate(csv.reader(io.StringIO(text), _sniff(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) < 4:
            raise ImportFormatError(
                f"expected question, 2-6 options and an answer letter; found {len(cells)} field(s)",
                line=lineno,
            )
        question, options, letter = cells[0], [c for c in cells[1:-1] if c], cells[-1].upper()
        if not 2 <= len(options) <= 6:
            raise ImportFormatError(f"expected 2-6 options, found {len(options)}", line=lineno)
        if len(letter) != 1 or not "A" <= letter < chr(ord("A") + len(options)):
            last = chr(ord("A") + len(options) - 1)
            raise ImportFormatError(
                f"answer must be a letter A-{last}, found {cells[-1]!r}", line=lineno
            )
        correct = ord(letter) - ord("A")
        result.items.append(
            DraftItem(
                question=question,
                type="mcq",
                ref=f"row {lineno}",
                line=lineno,
                options=[{"text": o, "correct": i == correct} for i, o in enumerate(options)],
            )
        )
    return result


def parse_anki(text: str) -> ImportResult:
    """Anki's 'Notes in Plain Text' export, with or without its `#key:value` header lines."""
    result = ImportResult()
    separator, html = "\t", True
    columns: dict[str, int] = {}
    body_start = 0
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("#") or ":" not in line:
            break
        key, _, value = line[1:].partition(":")
        key, value = key.strip().lower(), value.strip()
        body_start = index + 1
        if key == "separator":
            separator = {
                "tab": "\t",
                "comma": ",",
                "semicolon": ";",
                "space": " ",
                "pipe": "|",
            }.get(value.lower(), value[:1] or "\t")
        elif key == "html":
            html = value.lower() == "true"
        elif key.endswith(" column") and value.isdigit():
            columns[key.removesuffix(" column")] = int(value) - 1
    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])), delimiter=separator)
    meta = set(columns.values())
    for lineno, row in enumerate(reader, start=body_start + 1):
        if not any(cell.strip() for cell in row):
            continue
        fields = [cell for i, cell in enumerate(row) if i not in meta]
        if len(fields) < 2:
            raise ImportFormatError(
                f"expected front{separator!r}back, found {len(fields)} field(s)", line=lineno
            )
        convert = html_to_markdown if html else str.strip
        draft = DraftItem(
            question=convert(fields[0]), answer=convert(fields[1]), ref=f"row {lineno}", line=lineno
        )
        if "guid" in columns and columns["guid"] < len(row):
            draft.external_id = row[columns["guid"]]
        if "tags" in columns and columns["tags"] < len(row):
            draft.tags = _tags(row[columns["tags"]])
        result.items.append(draft)
    for tag in {t for item in result.items for t in item.tags}:
        result.new_tags.setdefault(tag, "Imported tag.")
    return result

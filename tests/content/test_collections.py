"""Importers on collections in the shapes people share (written in tests/content/
collections.py): at least 95% of the questions recovered with their answers, placeholders
flagged, the difficulty legend applied, `content check` clean; Anki packages (built with
genanki, and one with the zstd-compressed collection); auto-detection's clear margin."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest
import yaml
import zstandard

from bot.cli import main
from bot.content.checker import check_paths
from bot.content.importers import import_source
from bot.content.importers.draft import dump_deck
from bot.content.uploads import UploadRejected, choose, parse_upload
from tests.content.collections import anki_csv, community_markdown, headerless_mcq_csv


def _imported(tmp_path: Path, name: str, text: str) -> dict[str, Any]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    deck, _result, _fmt = import_source(source, "t-" + source.stem)
    out = tmp_path / f"{source.stem}.yaml"
    out.write_text(dump_deck(deck), encoding="utf-8")
    checked = check_paths([out], tags={})
    assert checked.errors == [], checked.errors[:5]
    return deck


def _items(deck: dict[str, Any]) -> list[dict[str, Any]]:
    items = deck["items"]
    assert isinstance(items, list)
    return items


def test_community_markdown_is_recovered_with_legend_and_placeholders(tmp_path: Path) -> None:
    text, expected = community_markdown()
    items = _items(_imported(tmp_path, "questions.md", text))
    assert len(items) == len(expected) == 166
    answered = [item for item in items if item.get("answer")]
    flagged = [item for item in items if "no_answer" in item.get("flags", [])]
    assert len(answered) >= 0.95 * (166 - 14) and len(flagged) == 14
    for number, item in enumerate(items, start=1):
        assert item["question"] == f"What about {_topic_of(item)} case {number}?"
        if expected[number] is None:
            assert "no_answer" in item["flags"]
        else:
            assert item["difficulty"] == expected[number]
    # Lists, code fences and tables stay inside their answers; <br/> and <img> converted.
    bodies = "\n".join(str(item.get("answer", "")) for item in items)
    assert "1. First step for question 6." in bodies and "# 1. not a question" in bodies
    assert "| A3 | low |" in bodies and "<br" not in bodies and "<img" not in bodies
    assert "[image: diagram of python basics]" in bodies
    assert "(image not included: images/q10.png)" in bodies
    assert "Back to top" not in bodies
    # Topic headings are tags; the title and the table of contents are not.
    tags = {tag for item in items for tag in item.get("tags", [])}
    assert tags == {
        "python-basics", "data-structures", "concurrency", "databases", "networking",
        "testing", "machine-learning", "system-design",
    }


def _topic_of(item: dict[str, Any]) -> str:
    tags = item.get("tags")
    assert isinstance(tags, list)
    return str(tags[0]).replace("-", " ")


def test_anki_csv_keeps_mathjax_guid_and_notes_media(tmp_path: Path) -> None:
    items = _items(_imported(tmp_path, "export.csv", anki_csv()))
    assert len([item for item in items if item.get("answer")]) >= 0.95 * 120
    first = items[0]
    assert first["id"] == "t-export/g00001ab"
    assert "\\(x_{1}^2\\)" in str(first["question"]) and "\\[1\\]" in str(first["answer"])
    assert "(media not included: card1.png)" in str(first["answer"])
    assert "card.mp3" in str(items[6]["answer"])


def test_headerless_mcq_csv(tmp_path: Path) -> None:
    items = _items(_imported(tmp_path, "quiz.csv", headerless_mcq_csv()))
    assert len(items) == 80 and all(item["type"] == "mcq" for item in items)
    second = items[1]
    options = second["options"]
    assert isinstance(options, list)
    assert [o["text"] for o in options if o.get("correct")] == ["Answer 2c"]


def _apkg(tmp_path: Path, notes: int = 30) -> bytes:
    model = genanki.Model(
        1607392319, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    deck = genanki.Deck(2059400110, "Test deck")
    for n in range(1, notes + 1):
        deck.add_note(genanki.Note(
            model=model,
            fields=[
                f"What is <b>{n}</b> squared?", f"It is \\({n * n}\\)<br><img src='sq{n}.png'>"
            ],
            guid=f"note{n:03d}", tags=["maths"],
        ))
    path = tmp_path / "deck.apkg"
    genanki.Package(deck).write_to_file(str(path))
    return path.read_bytes()


def test_apkg_built_with_genanki(tmp_path: Path) -> None:
    parsed = parse_upload(_apkg(tmp_path), "deck.apkg", "auto", "u-deck", 2000)
    assert parsed.format == "apkg" and len(parsed.deck.items) == 30
    first = parsed.deck.items[0]
    assert first.id == "u-deck/note001" and first.question == "What is **1** squared?"
    assert "\\(1\\)" in first.answer and "(media not included: sq1.png)" in first.answer
    assert first.tags == ["maths"]


def test_apkg_with_a_zstd_compressed_collection(tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(_apkg(tmp_path, 12))) as original:
        collection = original.read("collection.anki2")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as newer:
        # Newer Anki: the real collection zstd-compressed, a stub for old clients beside it.
        newer.writestr("collection.anki21b", zstandard.ZstdCompressor().compress(collection))
        newer.writestr("collection.anki2", b"not the collection")
        newer.writestr("media", b"{}")
    parsed = parse_upload(packed.getvalue(), "deck.colpkg", "auto", "u-z", 2000)
    assert len(parsed.deck.items) == 12 and parsed.deck.items[11].id == "u-z/note012"


def test_uploads_of_the_collections_parse_and_validate() -> None:
    text, _ = community_markdown()
    for name, data, fmt in (
        ("questions.md", text, "markdown"),
        ("export.csv", anki_csv(), "csv"),
        ("quiz.csv", headerless_mcq_csv(), "mcq-csv"),
    ):
        parsed = parse_upload(data.encode(), name, "auto", "u-x", 2000)
        assert parsed.format == fmt
        assert json.loads(parsed.body)["id"] == "u-x"


def test_detection_needs_a_clear_margin() -> None:
    assert choose({"markdown": 30.0, "flashcard-lines": 10.0}) == "markdown"
    with pytest.raises(UploadRejected) as caught:
        choose({"markdown": 10.0, "csv": 9.0, "anki-txt": 2.0})
    assert caught.value.candidates == ("markdown", "csv")
    with pytest.raises(UploadRejected) as prose:
        parse_upload(b"Just prose without questions.\nAnother line.\n", "notes.txt", "auto",
                     "u-p", 2000)
    assert "name one of" in prose.value.problems[0].message


def test_a_named_format_is_used_as_named() -> None:
    data = b"What is X?\tIt is x.\nWhat is Y?\tIt is y.\n"
    parsed = parse_upload(data, "cards.txt", "anki-txt", "u-a", 2000)
    assert parsed.format == "anki-txt" and len(parsed.deck.items) == 2
    with pytest.raises(UploadRejected) as caught:
        parse_upload(data, "cards.txt", "mcq-csv", "u-a", 2000)
    assert caught.value.problems[0].line >= 1


def test_cli_imports_a_package_with_a_one_line_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "deck.apkg"
    source.write_bytes(_apkg(tmp_path, 5))
    out = tmp_path / "out.yaml"
    assert main(["content", "import", str(source), "--deck-id", "pkg", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    summary = [line for line in err.splitlines() if line.startswith("summary: ")]
    assert summary == [
        f"summary: deck.apkg -> {out}: 5 items (apkg), 5 with answers, 0 no_answer, "
        "0 with a difficulty, 1 tags, 0 errors"
    ]
    assert yaml.safe_load(out.read_text())["items"][0]["id"] == "pkg/note001"

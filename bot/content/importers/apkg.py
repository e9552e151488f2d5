"""Anki packages (.apkg, .colpkg): a zip holding an SQLite collection, zstd-compressed
(`collection.anki21b`) in newer exports."""

from __future__ import annotations

import io
import re
import sqlite3
import tempfile
import zipfile
from contextlib import closing
from pathlib import Path

import zstandard

from bot.content.importers.draft import DraftItem, ImportResult
from bot.content.importers.tables import _tags, html_to_markdown
from bot.errors import ImportFormatError

#: Collections inside a package, newest first: a new export also carries an old stub.
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
ZIP_MAGIC = b"PK\x03\x04"
#: Guids kept as item ids; others (Anki's base91 ones with punctuation) get numbered ids.
VALID_GUID = re.compile(r"[A-Za-z0-9_-]{1,60}")
#: The largest collection unpacked; a package is limited in size, its expansion too.
MAX_COLLECTION_BYTES = 200 * 1024 * 1024


def is_package(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def _collection(data: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ImportFormatError("not a readable Anki package (zip)") from exc
    names = set(archive.namelist())
    for name in COLLECTIONS:
        if name not in names:
            continue
        if archive.getinfo(name).file_size > MAX_COLLECTION_BYTES:
            raise ImportFormatError("the collection inside the package is too large")
        raw = archive.read(name)
        if name.endswith("21b"):
            try:
                reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
                raw = reader.read(MAX_COLLECTION_BYTES + 1)
            except zstandard.ZstdError as exc:
                raise ImportFormatError("the package's zstd collection is damaged") from exc
        return raw
    raise ImportFormatError("no Anki collection in the package")


def _notes(collection: bytes) -> list[tuple[str, str, str]]:
    """(guid, fields, tags) of every note, in creation order."""
    with tempfile.TemporaryDirectory(prefix="prepbot-apkg-") as folder:
        path = Path(folder, "collection.sqlite")
        path.write_bytes(collection)
        try:
            with closing(sqlite3.connect(path)) as conn:
                rows = conn.execute("SELECT guid, flds, tags FROM notes ORDER BY id").fetchall()
        except sqlite3.Error as exc:
            raise ImportFormatError(f"not a readable Anki collection: {exc}") from exc
    return [(str(g), str(f), str(t)) for g, f, t in rows]


def parse_apkg(data: bytes) -> ImportResult:
    """Each note becomes an item: its first field the question, its second the answer."""
    result = ImportResult()
    for index, (guid, fields, tags) in enumerate(_notes(_collection(data)), start=1):
        parts = fields.split("\x1f")
        if len(parts) < 2:
            result.skipped.append(f"note {index}: one field only")
            continue
        answer = html_to_markdown(parts[1])
        draft = DraftItem(
            question=html_to_markdown(parts[0]) or f"note {index}",
            answer=answer,
            ref=f"note {index}",
            line=index,
            external_id=guid if VALID_GUID.fullmatch(guid) else None,
            tags=_tags(tags),
        )
        result.items.append(draft)
    for tag in {t for item in result.items for t in item.tags}:
        result.new_tags.setdefault(tag, "Imported tag.")
    if not result.items:
        result.notes.append("no notes in the package")
    return result

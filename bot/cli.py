"""The `prepbot` command line: run the bot, practise, and maintain content."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.config import Settings, load_settings
from bot.content.checker import TAGS_FILE, find_content_dir, load_tags
from bot.content.importers import (
    FORMATS,
    PACKAGE_SUFFIXES,
    detect_format_confidence,
    import_source,
    read_question_file,
)
from bot.content.importers.draft import dump_deck
from bot.content.rubric import check_with_rubrics
from bot.content.schema import DECK_ID_RE, Deck, Item
from bot.content.stats import deck_stats, format_stats
from bot.domain.models import GradeResult, Report
from bot.errors import ConfigError, PrepbotError
from bot.grading.llm_config import llm_config
from bot.logsetup import setup_logging
from bot.ports import Grader

log = logging.getLogger(__name__)

#: Exit status after the reader of stdout went away: 128 + SIGPIPE, as a shell reports it.
EXIT_BROKEN_PIPE = 141


def _settings(*, connect: bool = False) -> Settings:
    """The settings; `connect`: also refuse what a platform would (token shapes, http)."""
    return load_settings(check_tokens=connect)


def cmd_run(args: argparse.Namespace) -> int:
    """Start the configured platforms, or the console practice mode without tokens."""
    settings = _settings(connect=True)
    _configure_logging(settings)
    from bot.app import run  # imported late: it pulls in the platform libraries

    return run(settings)


def cmd_status(args: argparse.Namespace) -> int:
    """The running bot's figures and the outbox's state as JSON; exit 1 when unhealthy."""
    from bot.status import read_status

    report, problems = read_status(_settings())
    print(json.dumps(report, indent=2))
    for problem in problems:
        print(f"unhealthy: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_practice(args: argparse.Namespace) -> int:
    """The console practice mode, whatever tokens are configured."""
    settings = _settings()
    _configure_logging(settings)
    import asyncio

    from bot.app import practice

    try:
        return asyncio.run(practice(settings))
    except KeyboardInterrupt:
        return 130


def _content_paths(given: Sequence[str]) -> list[Path] | None:
    """The paths named (default: CONTENT_DIR); None, after saying so, when one is missing."""
    paths = [Path(p) for p in given] or [_settings().content_dir]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(
            f"prepbot: no such file or directory: {', '.join(map(str, missing))}", file=sys.stderr
        )
        return None
    return paths


def cmd_content_check(args: argparse.Namespace) -> int:
    """Validate decks; every problem at once, exit 1 on any error."""
    paths = _content_paths(args.paths)
    if paths is None:
        return 2
    tags = None
    if not any(find_content_dir(p) for p in paths):
        # A deck outside the content tree is checked against the configured vocabulary.
        content_dir = _settings().content_dir
        tags = load_tags(content_dir)
        if not tags:
            print(
                f"warning: no {TAGS_FILE} beside the decks or in CONTENT_DIR ({content_dir}): "
                "tags were not checked",
                file=sys.stderr,
            )
    result = check_with_rubrics(paths, tags=tags)
    for problem in result.problems:
        print(problem)
    items = sum(len(deck.items) for _, deck in result.decks)
    print(
        f"{len(result.decks)} deck(s), {items} item(s): "
        f"{len(result.errors)} error(s), {len(result.warnings)} warning(s)",
        file=sys.stderr,
    )
    return 1 if result.errors else 0


def cmd_content_stats(args: argparse.Namespace) -> int:
    """Counts by deck, type, tag and difficulty."""
    paths = _content_paths(args.paths)
    if paths is None:
        return 2
    result = check_with_rubrics(paths)
    stats = deck_stats((deck for _, deck in result.decks), result.rubric_warnings)
    print(json.dumps(stats, indent=2) if args.json else format_stats(stats))
    if result.errors:
        print(f"note: {len(result.errors)} error(s); run `prepbot content check`", file=sys.stderr)
    return 0


def cmd_content_import(args: argparse.Namespace) -> int:
    """Convert a foreign question collection into a draft deck; exit 1 and write nothing
    when the import recovers nothing useful."""
    from rich.progress import track

    err = sys.stderr
    if not re.fullmatch(DECK_ID_RE, args.deck_id):
        print(
            f"prepbot: --deck-id {args.deck_id!r}: use lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter or digit (e.g. my-deck)",
            file=err,
        )
        return 2
    out = Path(args.output)
    if out.exists() and not args.force:
        print(f"prepbot: {out} exists; use --force to overwrite it", file=err)
        return 1
    source = Path(args.source)
    questions = read_question_file(Path(args.questions)) if args.questions else None
    confidence = "given"
    packaged = source.suffix.lower() in PACKAGE_SUFFIXES
    if args.format == "auto" and not questions and source.is_file() and not packaged:
        text = source.read_text(encoding="utf-8-sig", errors="replace")
        detected, confidence = detect_format_confidence(text, source.name)
        if confidence == "low":
            print(
                f"prepbot: {source}: no import format fits (the best guess, {detected}, is "
                "only a fallback); name one with --format "
                f"({', '.join(FORMATS)}), or give the questions with --questions FILE",
                file=err,
            )
            return 1
    deck, result, fmt = import_source(source, args.deck_id, args.format, questions)
    items = deck["items"]
    assert isinstance(items, list)
    answered = sum(1 for entry in items if entry.get("answer") or entry.get("options"))
    how = "given" if confidence == "given" else f"detected, confidence {confidence}"
    print(f"format: {fmt} ({how})", file=err)
    print(
        f"recovered {len(items)} item(s): {answered} with answers, "
        f"{len(items) - answered} flagged no_answer",
        file=err,
    )
    for note in result.notes:
        print(f"note: {note}", file=err)
    for skipped in result.skipped:
        print(f"skipped: {skipped}", file=err)
    refusal = _import_refusal(len(items), answered, fmt, questions is not None)
    if refusal:
        print(f"prepbot: {refusal}; nothing written", file=err)
        return 1
    if len(items) > 200:
        # Validate item by item so a large import shows progress.
        for entry in track(items, description="validating", console=_stderr_console()):
            Deck.model_validate({**deck, "items": [entry]})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dump_deck(deck), encoding="utf-8")
    if result.new_tags:
        print(f"new tags proposed in the draft: {', '.join(sorted(result.new_tags))}", file=err)
    print(f"wrote {out}", file=err)
    check = check_with_rubrics([out], tags=load_tags(_settings().content_dir))
    for problem in check.problems:
        print(problem, file=err)
    levels = sum(1 for entry in items if entry.get("difficulty"))
    print(
        f"summary: {source.name} -> {out}: {len(items)} items ({fmt}), {answered} with "
        f"answers, {len(items) - answered} no_answer, {levels} with a difficulty, "
        f"{len(result.new_tags)} tags, {len(check.errors)} errors",
        file=err,
    )
    return 1 if check.errors else 0


def _import_refusal(items: int, answered: int, fmt: str, has_questions: bool) -> str | None:
    """Why an import is not worth writing, or None."""
    hint = "" if has_questions or fmt != "question-list" else " or give --questions FILE"
    if not items:
        return f"no items recovered; check --format{hint}"
    if answered * 2 < items:
        return (
            f"{items - answered} of {items} item(s) have no answer, so the format is probably "
            f"wrong: try another --format{hint}"
        )
    return None


def cmd_grade(args: argparse.Namespace) -> int:
    """Grade one answer and print the result as JSON."""
    from bot.content.bank import load_bank
    from bot.grading.factory import build_grader

    settings = _settings()
    bank = load_bank(settings.content_dir)
    item = bank.item(args.item)
    if item is None:
        close = ", ".join(close_ids(args.item, list(bank.items)))
        decks = ", ".join(sorted({item_id.split("/")[0] for item_id in bank.items}))
        hint = f"; did you mean: {close}" if close else f"; ids are DECK/ITEM, decks: {decks}"
        print(f"prepbot: unknown item {args.item!r}{hint}", file=sys.stderr)
        return 2
    grader = build_grader(
        args.semantic or settings.grader_semantic,
        required=args.semantic,
        corpus=bank.items.values(),
        llm=llm_config(settings),
    )
    result = _grade_once(grader, item, args.answer)
    out: dict[str, object] = {
        "item": item.id,
        "verdict": result.verdict.value,
        "score": result.score,
        "covered": list(result.covered),
        "missed": list(result.missed),
        "misconceptions": list(result.misconceptions),
        "contradicted": list(result.contradicted),
        "notes": list(result.notes),
        "stage": result.stage,
    }
    if result.fallback:
        out["fallback"] = result.fallback
    if result.feedback:
        out["feedback"] = result.feedback
    print(json.dumps(out, ensure_ascii=False))
    return 0


def _grade_once(grader: Grader, item: Item, answer: str) -> GradeResult:
    """One grade, through the LLM stage when it is configured (the floor otherwise)."""
    staged = getattr(grader, "grade_async", None)
    if staged is None:
        return grader.grade(item, answer)

    async def run() -> GradeResult:
        try:
            result: GradeResult = await staged(item, answer)
            return result
        finally:
            await grader.aclose()  # type: ignore[attr-defined]

    return asyncio.run(run())


def close_ids(wanted: str, ids: Sequence[str], limit: int = 5) -> list[str]:
    """The item ids most like `wanted` (typos, a wrong deck, a bare number)."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import Levenshtein

    # Typos first (edit distance), then partial matches such as a bare `q20`.
    for scorer, cutoff in ((Levenshtein.normalized_similarity, 0.75), (fuzz.WRatio, 75.0)):
        matches = process.extract(
            wanted.lower(),
            ids,
            scorer=scorer,
            processor=str.lower,
            limit=limit,
            score_cutoff=cutoff,
        )
        if matches:
            return [match[0] for match in matches]
    return []


def cmd_grade_eval(args: argparse.Namespace) -> int:
    """Measure the grader on labelled answers; figures as JSON lines."""
    from bot.content.bank import load_bank
    from bot.grading.evaluate import evaluate, evaluate_async, load_examples
    from bot.grading.factory import build_grader
    from bot.grading.llm import LLMGrader

    settings = _settings()
    bank = load_bank(settings.content_dir)
    dataset = load_examples(Path(args.file), bank, args.split)
    llm = llm_config(settings) if args.llm else None
    if args.llm and llm is None:
        print("prepbot: --llm needs GRADER_LLM_URL and GRADER_LLM_MODEL", file=sys.stderr)
        return 2
    grader = build_grader(
        args.semantic or settings.grader_semantic,
        required=args.semantic,
        corpus=bank.items.values(),
        llm=llm,
    )
    if isinstance(grader, LLMGrader):
        staged = grader

        async def run() -> list[dict[str, Any]]:
            try:
                return await evaluate_async(staged, dataset.examples)
            finally:
                await staged.aclose()

        records = asyncio.run(run())
    else:
        records = evaluate(grader, dataset.examples)
    for record in records:
        print(json.dumps(record))
    unresolved = {"name": "grade_eval.unresolved", "value": len(dataset.unresolved)}
    print(json.dumps({**unresolved, "unit": "answers"}))
    for entry in dataset.unresolved:
        print(f"unresolved item: {entry}", file=sys.stderr)
    return 0


def cmd_content_reports(args: argparse.Namespace) -> int:
    """Problems users reported with items, oldest first, for maintainers."""
    import asyncio

    from bot.storage import open_store

    database_url = _settings().database_url
    if _missing_database(database_url):
        # A read-only command: never create the database just to find it empty.
        print("no reports (no database yet)", file=sys.stderr if args.json else sys.stdout)
        if args.json:
            print("[]")
        return 0

    async def read() -> list[Report]:
        store = await open_store(database_url)
        try:
            return await store.list_reports()
        finally:
            await store.close()

    reports = asyncio.run(read())
    if args.json:
        print(json.dumps([_report_json(report) for report in reports], indent=2))
        return 0
    for report in reports:
        who = str(report.user) if report.user else "(deleted user)"
        print(f"{report.created_at:%Y-%m-%d %H:%M} {report.item_id} {who}: {report.reason}")
    if not reports:
        print("no reports")
    return 0


def _missing_database(database_url: str) -> bool:
    from bot.storage import is_in_memory, sqlite_path

    if not database_url.startswith("sqlite:") or is_in_memory(database_url):
        return False
    return not Path(sqlite_path(database_url)).exists()


def _report_json(report: Report) -> dict[str, object]:
    return {
        "id": report.id,
        "item": report.item_id,
        "user": str(report.user) if report.user else None,
        "reason": report.reason,
        "created_at": report.created_at.isoformat(),
    }


def _database_file(database_url: str) -> str:
    from bot.storage import sqlite_path

    path = sqlite_path(database_url)
    if path == ":memory:":
        raise ConfigError("DATABASE_URL: an in-memory database has nothing to back up")
    return path


def cmd_db_migrate(args: argparse.Namespace) -> int:
    """Create the database DATABASE_URL names or bring its schema up to date."""
    import asyncio

    from bot.config import redact_url
    from bot.storage import migrate

    database_url = _settings().database_url
    version = asyncio.run(migrate(database_url))
    print(f"{redact_url(database_url)}: schema version {version}", file=sys.stderr)
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the database, safe while the bot runs (pg_dump on PostgreSQL)."""
    import asyncio

    from bot.storage import is_postgres
    from bot.storage.backup import backup
    from bot.storage.pgdump import backup_postgres

    database_url = _settings().database_url
    if is_postgres(database_url):
        dest = asyncio.run(backup_postgres(database_url, args.path, overwrite=args.force))
    else:
        dest = backup(_database_file(database_url), args.path, overwrite=args.force)
    print(f"backed up to {dest}", file=sys.stderr)
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the database; refused while the bot runs."""
    import asyncio

    from bot.config import redact_url
    from bot.storage import is_postgres
    from bot.storage.backup import restore
    from bot.storage.pgdump import restore_postgres

    database_url = _settings().database_url
    if is_postgres(database_url):
        asyncio.run(restore_postgres(args.path, database_url))
        target = redact_url(database_url)
    else:
        target = _database_file(database_url)
        restore(args.path, target)
    print(f"restored {target} from {args.path}", file=sys.stderr)
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy every table from one database into another (SQLite <-> PostgreSQL)."""
    import asyncio

    from bot.config import redact_url
    from bot.storage.copy import TargetNotEmptyError, TerminalProgress, copy_database

    try:
        with TerminalProgress() as progress:
            done = asyncio.run(
                copy_database(args.source, args.target, force=args.force, progress=progress)
            )
    except TargetNotEmptyError as exc:
        print(f"prepbot: {exc}", file=sys.stderr)
        return 2
    print(
        f"copied {done.total} rows in {len(done.rows)} tables from {redact_url(args.source)} "
        f"to {redact_url(args.target)} (schema version {done.version})",
        file=sys.stderr,
    )
    return 0


def cmd_content_schema(args: argparse.Namespace) -> int:
    """Write the JSON Schema of the deck format."""
    text = json.dumps(deck_json_schema(), indent=2) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


def deck_json_schema() -> dict[str, object]:
    """The deck format as JSON Schema, for editors."""
    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "prepbot deck"
    return schema


def _stderr_console() -> Console:
    return Console(stderr=True)


def _configure_logging(settings: Settings) -> None:
    from bot.app import noisy_loggers, secrets  # the composition root knows the platforms

    setup_logging(settings.log_level, secrets(settings), noisy_loggers())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prepbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="start the bot (console practice mode without tokens)")
    run.set_defaults(func=cmd_run)
    status = sub.add_parser(
        "status", help="outbox depth, last tick, sends and 429s, broken chats (exit 1: unhealthy)"
    )
    status.set_defaults(func=cmd_status)
    practise = sub.add_parser("practice", help="practise in the terminal (console mode)")
    practise.set_defaults(func=cmd_practice)

    content = sub.add_parser("content", help="check, count and import decks")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate decks (exit 1 on errors)")
    check.add_argument("paths", nargs="*", help="deck files or folders (default: CONTENT_DIR)")
    check.set_defaults(func=cmd_content_check)
    stats = csub.add_parser("stats", help="counts by deck, type, tag and difficulty")
    stats.add_argument("paths", nargs="*")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(func=cmd_content_stats)
    imp = csub.add_parser("import", help="turn a foreign question collection into a draft deck")
    imp.add_argument("source")
    imp.add_argument("--deck-id", required=True)
    imp.add_argument("-o", "--output", required=True)
    imp.add_argument("--format", default="auto", choices=("auto", *FORMATS))
    imp.add_argument(
        "--questions", help="numbered question list for a source whose headings were lost"
    )
    imp.add_argument("--force", action="store_true", help="overwrite an existing output file")
    imp.set_defaults(func=cmd_content_import)
    reports = csub.add_parser("reports", help="list the problems users reported with items")
    reports.add_argument("--json", action="store_true", help="print JSON")
    reports.set_defaults(func=cmd_content_reports)
    schema = csub.add_parser(
        "schema",
        help="print the deck JSON Schema (to stdout; -o FILE writes it to FILE)",
        description="Print the deck JSON Schema to standard output, or write it to FILE with "
        "-o (the shipped copy is content/deck.schema.json).",
    )
    schema.add_argument(
        "-o", "--output", default="-", metavar="FILE", help="where to write it (default: stdout)"
    )
    schema.set_defaults(func=cmd_content_schema)
    db = sub.add_parser("db", help="migrate, back up, restore or copy the database")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_backup = dsub.add_parser("backup", help="copy the database (safe while the bot runs)")
    db_backup.add_argument("path", help="where to write the copy")
    db_backup.add_argument("--force", action="store_true", help="overwrite an existing file")
    db_backup.set_defaults(func=cmd_db_backup)
    db_restore = dsub.add_parser("restore", help="put a backup back (stop the bot first)")
    db_restore.add_argument("path", help="the backup file")
    db_restore.set_defaults(func=cmd_db_restore)
    db_migrate = dsub.add_parser(
        "migrate", help="create the database or update its schema (start-up does it too)"
    )
    db_migrate.set_defaults(func=cmd_db_migrate)
    db_copy = dsub.add_parser(
        "copy", help="copy every table into an empty database (SQLite <-> PostgreSQL)"
    )
    db_copy.add_argument("source", metavar="FROM_URL", help="e.g. sqlite:///data/prepbot.db")
    db_copy.add_argument("target", metavar="TO_URL", help="e.g. postgresql://user@host/db")
    db_copy.add_argument("--force", action="store_true", help="replace the target's rows")
    db_copy.set_defaults(func=cmd_db_copy)
    grade = sub.add_parser("grade", help="grade one answer and print JSON")
    grade.add_argument("item", help="item id, e.g. hosni-dl/q20")
    grade.add_argument("answer", help="the answer text")
    grade.add_argument("--semantic", action="store_true", help="add the semantic stage")
    grade.set_defaults(func=cmd_grade)
    grade_eval = sub.add_parser("grade-eval", help="measure the grader on labelled answers")
    grade_eval.add_argument("file", help="YAML list of {item, answer, label, split}")
    grade_eval.add_argument("--semantic", action="store_true", help="add the semantic stage")
    grade_eval.add_argument("--split", default="test", choices=("dev", "test", "all"))
    grade_eval.add_argument(
        "--llm", action="store_true", help="grade through the configured GRADER_LLM_* endpoint"
    )
    grade_eval.set_defaults(func=cmd_grade_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_run
    try:
        code: int = args.func(args)
        # Flush here, not at exit, so a reader that went away is handled below.
        sys.stdout.flush()
    except BrokenPipeError:
        return _broken_pipe()
    except ConfigError as exc:
        print(f"prepbot: {exc}", file=sys.stderr)
        return 2
    except PrepbotError as exc:
        print(f"prepbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


def _broken_pipe() -> int:
    """The reader of our output left (`prepbot ... | head`): stop quietly, as `cat` does."""
    # Point stdout at /dev/null so the flush at interpreter exit cannot fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE

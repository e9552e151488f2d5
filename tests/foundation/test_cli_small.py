"""Small CLI promises: read-only commands stay read-only, refusals say what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import build_parser, close_ids, main
from tests.foundation.test_db_commands import db

__all__ = ["db"]

ROOT = Path(__file__).resolve().parents[2]


def test_reports_on_a_missing_database_do_not_create_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "never.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.chdir(tmp_path)
    assert main(["content", "reports"]) == 0
    assert "no reports" in capsys.readouterr().out
    assert main(["content", "reports", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert list(tmp_path.iterdir()) == []  # no database, no lock file


def test_backup_onto_an_existing_file_mentions_force(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.db"
    copy.write_text("keep me")
    assert main(["db", "backup", str(copy)]) == 1
    assert "--force" in capsys.readouterr().err
    assert copy.read_text() == "keep me"


def test_restoring_the_live_database_onto_itself_is_refused(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = db.read_bytes()
    assert main(["db", "restore", str(db)]) == 1
    err = capsys.readouterr().err
    assert "live database" in err and "Traceback" not in err
    assert db.read_bytes() == before


def test_unknown_item_suggests_close_ids(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    assert main(["grade", "hosni-dl/q2O", "dropout"]) == 2
    err = capsys.readouterr().err
    assert "did you mean: hosni-dl/q20," in err  # the one-typo id comes first
    assert main(["grade", "nosuch/item", "dropout"]) == 2
    assert "decks: " in capsys.readouterr().err and "hosni-dl" in err


def test_close_ids_ranks_typos_then_partial_ids() -> None:
    ids = ["deck/q01", "deck/q02", "deck/q20", "other/card-7"]
    assert close_ids("deck/q2O", ids)[0] == "deck/q20"
    assert close_ids("card-7", ids) == ["other/card-7"]
    assert close_ids("zzzzzz", ids) == []


def test_grade_eval_on_no_answers_prints_null_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    for text in ("", "[]\n"):
        empty = tmp_path / "empty.yaml"
        empty.write_text(text)
        assert main(["grade-eval", str(empty)]) == 0
        records = {
            r["name"]: r["value"] for r in map(json.loads, capsys.readouterr().out.splitlines())
        }
        assert records["grade_eval.count"] == 0
        for name in ("accuracy", "macro_f1", "auc", "latency_p50_ms", "latency_p95_ms"):
            assert records[f"grade_eval.{name}"] is None, name


def test_lock_file_is_ignored_by_git() -> None:
    patterns = (ROOT / ".gitignore").read_text().splitlines()
    assert "*.db.lock" in patterns or "prepbot.db.lock" in patterns


def test_schema_help_says_where_it_writes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["content", "schema", "--help"])
    text = capsys.readouterr().out
    assert "stdout" in text and "-o FILE" in text
    with pytest.raises(SystemExit):
        build_parser().parse_args(["content", "--help"])
    assert "stdout" in capsys.readouterr().out

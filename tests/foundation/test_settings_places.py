"""Where settings point: the database file, the webhook, the content folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

GOOD_DECK = """\
id: mine
title: Mine
language: en
license: CC-BY-4.0
attribution: me
status: draft
items:
  - id: mine/1
    type: open
    question: What is a tensor?
    answer: An array with any number of axes.
    tags: [no-such-tag-anywhere]
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def prepbot(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` from `cwd` with closed stdin and only the given settings."""
    base = {k: v for k, v in os.environ.items() if k.upper() not in _SETTINGS}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=base | env,
        check=False,
    )


_SETTINGS = {name.upper() for name in Settings.model_fields}


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip() and " INFO " not in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 200)
    done = prepbot(["practice"], tmp_path, DATABASE_URL=f"sqlite:///{notes}")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("prepbot: DATABASE_URL:") and "not a SQLite database" in line
    assert notes.read_text().startswith("shopping list")  # left alone


def test_an_unusable_path_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")  # a file where a folder should be: no user can create below it
    done = prepbot(["practice"], tmp_path, DATABASE_URL=f"sqlite:///{blocker}/sub/p.db")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("prepbot: DATABASE_URL: cannot create or open"), line


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite:///:memory:", "memory://"])
def test_practice_on_an_in_memory_database_never_claims_to_save(tmp_path: Path, url: str) -> None:
    """Practice runs in memory, but says at the start and at the end that nothing is kept."""
    done = prepbot(["practice"], tmp_path, DATABASE_URL=url)
    assert done.returncode == 0, done.stderr
    assert "Question of the day" in done.stdout
    assert "saved" not in done.stdout
    out = " ".join(done.stdout.split())  # the notice may wrap
    assert "Your answers are not kept: DATABASE_URL is an in-memory database" in out
    assert done.stdout.rstrip().splitlines()[-1] == (
        "Bye — your answers are not kept (in-memory database)."
    )
    assert not list(tmp_path.glob("*.db*"))  # nothing was written beside it


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces in it"),
        ("TELEGRAM_WEBHOOK_SECRET", "x" * 257),
        ("TELEGRAM_WEBHOOK_SECRET", "dollar$sign"),
        ("TELEGRAM_WEBHOOK_URL", "http://bot.example.org/hook"),
        ("TELEGRAM_WEBHOOK_URL", "bot.example.org/hook"),
    ],
)
def test_webhook_settings_are_checked_at_load(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    assert str(info.value).startswith(f"invalid setting {name}:")
    assert value not in str(info.value)


def test_good_webhook_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org:8443/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "A-z_09" * 10)
    settings = load_settings(None)
    assert settings.telegram_webhook_url == "https://bot.example.org:8443/hook"


def test_shipped_bank_is_found_from_any_folder(tmp_path: Path) -> None:
    assert load_settings(None).content_dir == ROOT / "content"
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    done = prepbot(["practice"], elsewhere, DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}")
    assert done.returncode == 0, done.stderr
    assert "Question of the day" in done.stdout
    # CONTENT_DIR=content as in .env.example works from elsewhere too.
    done = prepbot(["content", "stats", "--json"], elsewhere, CONTENT_DIR="content")
    assert done.returncode == 0, done.stderr
    assert '"total"' in done.stdout


def test_an_explicit_content_dir_still_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "content" / "decks").mkdir(parents=True)
    monkeypatch.setenv("CONTENT_DIR", "content")
    assert load_settings(None).content_dir == Path("content")


def test_check_outside_the_tree_uses_the_shipped_tags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "mine.yaml"
    deck.write_text(GOOD_DECK)
    assert main(["content", "check", str(deck)]) == 1
    out = capsys.readouterr().out
    assert "unknown tag 'no-such-tag-anywhere'" in out


def test_check_without_any_tags_file_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "no-content"
    empty.mkdir()
    monkeypatch.setenv("CONTENT_DIR", str(empty))
    deck = tmp_path / "mine.yaml"
    deck.write_text(GOOD_DECK)
    assert main(["content", "check", str(deck)]) == 0
    err = capsys.readouterr().err
    assert "no tags.yaml" in err and "tags were not checked" in err

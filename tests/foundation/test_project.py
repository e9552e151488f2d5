"""Project files that users run directly: compose file, Makefile, CI entry, README quick start."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_is_valid() -> None:
    tool = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    done = subprocess.run(
        [tool, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_uses_env_file_and_volume() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    bot = compose["services"]["bot"]
    assert bot["env_file"] == ".env"
    assert any(str(v).startswith("prepbot-data:") for v in bot["volumes"])
    assert compose["services"]["postgres"]["profiles"] == ["postgres"]


def test_compose_runs_every_platform_from_one_env_file() -> None:
    import yaml

    from bot.config import Settings

    text = (ROOT / "docker-compose.yml").read_text()
    bot = yaml.safe_load(text)["services"]["bot"]
    # No command override: `prepbot run` starts every platform with a token in .env.
    assert "command" not in bot and "entrypoint" not in bot
    environment = bot["environment"]
    assert environment["PTB_TIMEDELTA"] == "1"  # the timedelta mode the adapter is tested in
    assert not [name for name in environment if "TOKEN" in name or "SECRET" in name]
    # The commented webhook port mapping matches the default TELEGRAM_WEBHOOK_PORT.
    port = Settings.model_fields["telegram_webhook_port"].default
    assert f'#   - "{port}:{port}"' in text


def test_ci_runs_make_test_only() -> None:
    lines = [
        ln.strip()
        for ln in (ROOT / ".ci" / "run").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert "make test" in lines


def test_readme_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick and "make test" in quick


@pytest.mark.parametrize("args", [["--help"], ["content", "--help"]])
def test_module_entry_point(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0
    assert "usage: prepbot" in done.stdout

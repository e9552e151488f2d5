"""Start-up failures: one line naming the platform and the cause, exit 1, no secret, no
traceback; token shapes no platform issues are refused before any network call.

The platforms are the fakes in tests/adapters/ on 127.0.0.1; nothing here touches the network.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import discord.http
import pytest

from bot.app import enabled_platforms
from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from tests.adapters.discord.fake_api import FakeDiscord
from tests.adapters.discord.fake_fixtures import fake_discord
from tests.adapters.telegram.fake_api import FakeTelegram
from tests.adapters.telegram.fake_fixtures import fake_telegram

__all__ = ["fake_discord", "fake_telegram"]

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]
#: The shape @BotFather issues, but not a token the fake (or Telegram) knows.
TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    # `main` configures logging; give the test runner its handlers back afterwards.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there any more


async def run_cli(args: list[str]) -> int:
    """`prepbot ARGS` in a worker thread (its own event loop), so the fakes keep serving."""
    return await asyncio.to_thread(main, args)


async def run_subprocess(env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """`python -m bot run` as a user starts it, with the fakes serving on this loop."""
    base = {k: v for k, v in os.environ.items() if not k.endswith("_BOT_TOKEN")}
    base |= {"CONTENT_DIR": str(ROOT / "content"), "DATABASE_URL": f"sqlite:///{cwd / 'p.db'}"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=base | env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 50)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def assert_one_line(err: str, platform: str, cause: str, *secrets: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    # Start-up INFO logs may come first; the failure is the last line and the only other.
    others = [line for line in lines[:-1] if " INFO " not in line]
    assert not others, err
    line = lines[-1]
    assert line.startswith(f"prepbot: {platform} could not start: "), line
    assert cause in line, line
    for secret in secrets:
        assert secret not in err
    assert "Traceback" not in err
    return line


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "123:abc"),
        ("TELEGRAM_BOT_TOKEN", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"),
        ("TELEGRAM_BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw "),
        ("DISCORD_BOT_TOKEN", "not a token"),
        ("DISCORD_BOT_TOKEN", f"Bot {DISCORD_TOKEN}"),
    ],
)
def test_impossible_token_shapes_are_refused_at_load(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    assert name in str(info.value) and value.strip() not in str(info.value)
    # Commands that never connect (practice, content, grade) do not care.
    assert enabled_platforms(load_settings(None, check_tokens=False))


def test_well_formed_tokens_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    assert len(enabled_platforms(load_settings(None))) == 2


async def test_bad_token_shape_never_reaches_the_api(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake_telegram.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:short")
    assert await run_cli(["run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("prepbot: invalid setting TELEGRAM_BOT_TOKEN") and "short" not in err
    assert fake_telegram.calls == []


async def test_rejected_telegram_token_is_one_line_without_the_token(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    code, out, err = await run_subprocess(
        {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BASE_URL": fake_telegram.base_url},
        tmp_path,
    )
    assert code == 1
    line = assert_one_line(err, "telegram", "TELEGRAM_BOT_TOKEN was rejected", TELEGRAM_TOKEN)
    assert "AAHdqTcv" not in line and out == ""
    assert fake_telegram.calls_to("getMe", done=False)  # it did ask, and was refused


async def test_unreachable_telegram_api(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/bot"
    code, _, err = await run_subprocess(
        {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_BASE_URL": url}, tmp_path
    )
    assert code == 1
    assert_one_line(err, "telegram", "cannot reach 127.0.0.1:", TELEGRAM_TOKEN)


async def test_dns_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # no lookup leaves the machine
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "https://api.telegram.invalid/bot")
    assert await run_cli(["run"]) == 1
    assert_one_line(
        capsys.readouterr().err, "telegram", "cannot resolve api.telegram.invalid", TELEGRAM_TOKEN
    )


async def test_rejected_discord_token(
    fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_discord.token = "the-real-one"
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    assert await run_cli(["run"]) == 1
    assert_one_line(capsys.readouterr().err, "discord", "DISCORD_BOT_TOKEN", DISCORD_TOKEN)


async def test_unreachable_discord_closes_its_session(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{closed_port()}/api/v10")
    monkeypatch.setenv("DISCORD_BOT_TOKEN", DISCORD_TOKEN)
    assert await run_cli(["run"]) == 1
    assert_one_line(capsys.readouterr().err, "discord", "cannot reach Discord", DISCORD_TOKEN)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        gc.collect()  # an unclosed aiohttp session complains when it is collected
    assert "Unclosed" not in caplog.text

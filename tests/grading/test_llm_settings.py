"""The GRADER_LLM_* settings."""

from __future__ import annotations

import pytest

from bot.app import secrets
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.grading.llm_config import llm_config
from bot.presentation import helptext


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("URL", "MODEL", "API_KEY", "TIMEOUT_SECONDS", "CONCURRENCY", "DAILY_LIMIT"):
        monkeypatch.delenv(f"GRADER_LLM_{name}", raising=False)
    monkeypatch.chdir(str(tmp_path))


def test_unset_or_blank_means_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert llm_config(Settings(_env_file=None)) is None
    monkeypatch.setenv("GRADER_LLM_URL", "")
    monkeypatch.setenv("GRADER_LLM_MODEL", "")
    monkeypatch.setenv("GRADER_LLM_API_KEY", "")
    settings = Settings(_env_file=None)
    assert not settings.llm_grading and llm_config(settings) is None


def test_defaults_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LLM_URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("GRADER_LLM_MODEL", "llama3.1:8b")
    config = llm_config(Settings(_env_file=None))
    assert config is not None
    assert (config.url, config.model, config.api_key) == (
        "http://localhost:11434/v1", "llama3.1:8b", None
    )
    assert (config.timeout, config.concurrency, config.daily_limit) == (20.0, 4, 500)


def test_a_url_needs_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LLM_URL", "http://localhost:11434/v1")
    with pytest.raises(ConfigError, match="GRADER_LLM_MODEL"):
        load_settings(None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GRADER_LLM_URL", "localhost:11434"),
        ("GRADER_LLM_TIMEOUT_SECONDS", "0"),
        ("GRADER_LLM_CONCURRENCY", "0"),
        ("GRADER_LLM_DAILY_LIMIT", "-1"),
    ],
)
def test_bad_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv("GRADER_LLM_MODEL", "m")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings(None)


def test_the_api_key_is_a_secret_kept_out_of_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LLM_URL", "https://api.example.com/v1")
    monkeypatch.setenv("GRADER_LLM_MODEL", "m")
    monkeypatch.setenv("GRADER_LLM_API_KEY", "sk-very-secret")
    settings = Settings(_env_file=None)
    assert "sk-very-secret" not in repr(settings)
    assert "sk-very-secret" in secrets(settings)


def test_help_says_whether_answers_leave_the_server() -> None:
    on, off = helptext.grading_mode(True), helptext.grading_mode(False)
    assert on != off and "language model" in on and "never your name" in on

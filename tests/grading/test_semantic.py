"""The semantic stage, run for real where the `semantic` extra is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import bootstrap
from bot.config import Settings
from bot.domain.models import Verdict
from bot.errors import ConfigError
from bot.grading.factory import build_grader, semantic_available
from bot.grading.lexical import LexicalGrader
from tests.grading.test_lexical import DROPOUT

CONTENT = Path(__file__).resolve().parents[2] / "content"

needs_extra = pytest.mark.skipif(
    not semantic_available(), reason="the optional `semantic` extra is not installed here"
)


def test_factory_defaults_to_lexical() -> None:
    assert isinstance(build_grader(Settings.model_fields["grader_semantic"].default), LexicalGrader)


def test_asking_for_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.grading.factory.semantic_available", lambda: False)
    with pytest.raises(ConfigError, match="GRADER_SEMANTIC"):
        build_grader(True)


async def test_setting_without_the_extra_leaves_the_stage_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """`GRADER_SEMANTIC=true` turns the stage on only where it is installed; the bot starts."""
    monkeypatch.setattr("bot.grading.factory.semantic_available", lambda: False)
    assert isinstance(build_grader(True, required=False), LexicalGrader)
    assert "not installed" in caplog.text
    settings = Settings(
        _env_file=None,
        grader_semantic=True,
        database_url=f"sqlite:///{tmp_path / 'p.db'}",
        content_dir=CONTENT,
    )
    async with bootstrap(settings) as runtime:
        assert isinstance(runtime.services.answers.recorder.grader, LexicalGrader)


@needs_extra
@pytest.mark.timeout(120)
def test_paraphrase_gets_credit_the_lexical_grader_misses() -> None:
    semantic = build_grader(True)
    lexical = LexicalGrader()
    text = "At test time dropout is not applied. It stops neurons depending on each other too much."
    plain = lexical.grade(DROPOUT, text)
    richer = semantic.grade(DROPOUT, text)
    assert richer.score > plain.score
    assert set(plain.covered) <= set(richer.covered)
    # Guards still apply: a pasted reference earns nothing.
    assert semantic.grade(DROPOUT, DROPOUT.answer).verdict is Verdict.INCORRECT

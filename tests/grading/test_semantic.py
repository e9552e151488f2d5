"""The semantic stage, run for real where the `semantic` extra is installed."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.domain.models import Verdict
from bot.errors import ConfigError
from bot.grading.factory import build_grader, semantic_available
from bot.grading.lexical import LexicalGrader
from tests.grading.test_lexical import DROPOUT

needs_extra = pytest.mark.skipif(
    not semantic_available(), reason="the optional `semantic` extra is not installed here"
)


def test_factory_defaults_to_lexical() -> None:
    assert isinstance(build_grader(Settings.model_fields["grader_semantic"].default), LexicalGrader)


def test_asking_for_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.grading.factory.semantic_available", lambda: False)
    with pytest.raises(ConfigError, match="GRADER_SEMANTIC"):
        build_grader(True)


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

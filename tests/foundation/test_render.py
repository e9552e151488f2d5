"""Readable maths, inert mentions and message splitting."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.models import AnswerKind, Verdict
from bot.presentation.wording import points_outcome
from bot.render import (
    ZWSP,
    defuse_mentions,
    latex_to_text,
    render_math,
    split_message,
)
from bot.services.results import AnswerResult, StreakView


def test_inline_and_display_maths_become_text() -> None:
    text = render_math("Scale by $\\frac{1}{1-p}$.\n\n$$z = \\sigma(Wx + b)$$")
    assert "1/(1-p)" in text
    assert "z = σ(Wx + b)" in text
    assert "$" not in text


def test_code_and_prices_are_left_alone() -> None:
    text = "It costs $5 and $10. `echo $HOME$` and\n```\nx = '$a$'\n```"
    assert render_math(text) == text


def test_malformed_latex_is_kept() -> None:
    assert latex_to_text("\\frac{1}{") != ""


def test_mentions_are_defused() -> None:
    out = defuse_mentions("@everyone look, <@123> and <@&456> and @here and mail@x.org")
    assert "@everyone" not in out and "@here" not in out
    assert "<@123>" not in out and "<@&456>" not in out
    assert f"@{ZWSP}everyone" in out
    assert "mail@x.org" in out


def test_split_keeps_code_fences_balanced() -> None:
    code = "```python\n" + "\n".join(f"x{i} = {i}" for i in range(200)) + "\n```"
    parts = split_message("Intro.\n\n" + code, 300)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 300
        assert len(re.findall(r"^```", part, re.MULTILINE)) % 2 == 0


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=3000))
def test_split_never_exceeds_the_limit_or_loses_words(text: str) -> None:
    parts = split_message(text, 100)
    assert all(len(part) <= 100 for part in parts)
    if "```" not in text:
        assert "".join("".join(parts).split()) == "".join(text.split())


def outcome(**changes: object) -> tuple[str, bool]:
    base = AnswerResult(
        item_id="d/q01", kind=AnswerKind.DAILY, verdict=Verdict.CORRECT, score=1.0,
        covered=(), missed=(), misconceptions=(), points=10, counted=True, forfeited=False,
        capped=False, short_answer="S.", correct_option=None, streak=StreakView(1, 1, 0, True),
    )
    return points_outcome(replace(base, **changes))  # type: ignore[arg-type]


def test_points_outcome_says_what_an_answer_earned() -> None:
    assert outcome() == ("+10 points", True)
    assert outcome(points=4, capped=True) == ("+4 points (daily practice cap reached)", True)
    text, earned = outcome(forfeited=True, points=0)
    assert not earned and "no points" in text and "streak still counts" in text
    # An answer that was not counted says so, whatever else is set.
    text, earned = outcome(counted=False, forfeited=True)
    assert not earned and text.startswith("Already answered")

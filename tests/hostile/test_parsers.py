"""Every parser of typed text and button data, fed hostile input: a value in range or a
clean refusal, never an exception; refusals that quote the input stay short and inert."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters import textcommands
from bot.adapters.discord import views
from bot.adapters.telegram import callbacks as cb
from bot.domain.numbers import MAX_ID, is_number, parse_id, parse_int
from bot.errors import InvalidInputError
from bot.presentation.commands import say
from bot.presentation.echo import ECHO_LIMIT, echo
from bot.render import ZWSP
from bot.services.reviews import parse_rating
from tests.hostile.strategies import NASTY, hostile_args, hostile_text, short_text

#: Discord's content limit, the smaller of the two platforms'.
REPLY_LIMIT = 2000


def assert_inert(text: str) -> None:
    """Every `@` in a reply is followed by a zero-width space: no live mention."""
    assert all(text[i + 1 : i + 2] == ZWSP for i, ch in enumerate(text) if ch == "@"), text


@given(hostile_text)
def test_parse_int_takes_ascii_digits_only(text: str) -> None:
    value = parse_int(text, low=-MAX_ID, signed=True)
    if value is not None:
        assert -MAX_ID <= value <= MAX_ID
        digits = text.lstrip("+-")
        assert digits.isascii() and digits.isdecimal()
        assert str(abs(value)) == (digits.lstrip("0") or "0")


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_parse_int_reads_every_number_in_range_and_no_other(number: int) -> None:
    assert parse_int(str(number), low=1, high=MAX_ID) == (number if 1 <= number <= MAX_ID else None)
    assert parse_id(str(number)) == parse_int(str(number), low=1)


@pytest.mark.parametrize("text", ["²", "٣", "１２", "𝟙", "1_000", " 7", "7 ", "0x1f", "-1", ""])
def test_parse_int_refuses_what_int_would_misread(text: str) -> None:
    assert parse_int(text) is None
    assert not is_number(text) or text.strip() != text


@given(hostile_text, st.integers(min_value=-3, max_value=12))
def test_choice_from_text(text: str, options: int) -> None:
    picked = textcommands.choice_from_text(text, options)
    assert picked is None or 1 <= picked <= options


@given(hostile_args)
def test_parse_schedule_refuses_cleanly(args: list[str]) -> None:
    try:
        request = textcommands.parse_schedule(args)
    except InvalidInputError as exc:
        assert len(say(exc.notice)) <= REPLY_LIMIT
    else:
        assert request.action in {"show", "pause", "resume", "off", "set"}


@given(hostile_text)
def test_parse_rating_refusal_fits_and_mentions_nobody(text: str) -> None:
    try:
        rating = parse_rating(text)
    except InvalidInputError as exc:
        reply = say(exc.notice)
        assert len(reply) <= REPLY_LIMIT
        assert_inert(reply)
    else:
        assert 1 <= int(rating) <= 4


@given(hostile_text)
def test_echo_is_bounded_and_inert(text: str) -> None:
    shown = echo(text)
    assert len(shown.replace(ZWSP, "")) <= ECHO_LIMIT
    assert_inert(shown)
    if len(text) > ECHO_LIMIT:
        assert shown.endswith("…")


# --- button data ---------------------------------------------------------------------


telegram_data = st.one_of(
    hostile_text,
    st.builds(
        lambda kind, fields: ":".join([kind, *fields]),
        st.sampled_from("dqvgnf"),
        st.lists(st.one_of(st.sampled_from(NASTY), short_text), min_size=1, max_size=5),
    ),
)


@given(telegram_data)
@settings(max_examples=300)
def test_telegram_callback_data_decodes_to_bounded_ids(data: str) -> None:
    button = cb.decode(data)
    for name in ("post_id", "session_id", "position"):
        value = getattr(button, name, None)
        assert value is None or (isinstance(value, int) and 1 <= value <= MAX_ID)
        assert value is None or str(value) in data  # read from ASCII digits, not `٣`
    if isinstance(button, cb.RateButton):
        assert 1 <= button.rating <= 4
    action = getattr(button, "action", None)
    if action is not None:
        number = cb.option_number(action)
        assert number is None or 1 <= number <= MAX_ID


@given(st.integers(1, MAX_ID), st.integers(1, 99), st.sampled_from(["r", "s", "x", "c", "3"]))
def test_telegram_callback_data_round_trips(ident: int, position: int, action: str) -> None:
    for button in (
        cb.DailyButton(ident, action),
        cb.QuizButton(ident, position, "1001", action),
    ):
        assert cb.decode(cb.encode(button)) == button


discord_ids = st.one_of(
    hostile_text.map(lambda s: f"{views.PREFIX}:{s}"),
    st.builds(
        lambda kind, fields: ":".join([views.PREFIX, kind, *fields]),
        st.sampled_from(["ans", "opt", "qopt", "qskip", "qstop", "rev", "rate", "forget", "keep"]),
        st.lists(st.one_of(st.sampled_from(NASTY), short_text), max_size=4),
    ),
)


@given(discord_ids)
@settings(max_examples=300)
def test_discord_custom_ids_match_one_kind_with_bounded_ints(custom_id: str) -> None:
    matched = [
        kind for kind in views.BUTTON_KINDS
        if kind.__discord_ui_compiled_template__.fullmatch(custom_id)
    ]
    assert len(matched) == 1, matched  # one kind, StaleButton at worst: always answered
    match = matched[0].__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    for name, value in match.groupdict().items():
        if name in views._INT_FIELDS:
            assert 0 <= int(value) <= MAX_ID


@given(hostile_text)
def test_discord_modal_ids_parse_or_refuse(custom_id: str) -> None:
    parsed = views.parse_modal_id(custom_id)
    assert parsed is None or custom_id.startswith(views.MODAL_PREFIX)

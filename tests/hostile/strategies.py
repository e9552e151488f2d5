"""Hypothesis strategies for text people (and other bots) throw at prepbot."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.domain.numbers import MAX_ID

#: Pieces that broke, or could break, a parser or a reply.
NASTY = (
    "²", "³", "٣", "١٢", "߂", "௫", "੭", "１２", "Ⅻ", "½", "1_000", "0x1f", "-1", "+2", "٣.", "B)",
    "\u202e", "\u202d", "\u200b", "\u200d", "\u2060", "\ufeff", "\u0301", "e\u0301", "\u0338",
    "\x00", "\x07", "\x1b[31m", "\r", "\n", "\t", "\x7f", "\ud7ff",
    "@everyone", "@here", "<@123456789012345678>", "<@&1>", "<#1>", "@alice",
    "<b>", "</i>", "<a href='x'>", "&amp;", "&", "*_`~|", "||spoiler||", "```", "$x$", "$$",
    "[x](tg://user?id=1)", "/quiz", "/forget", ":", "::", "-", " ", "🔥", "👩‍💻", "𝟙𝟚",
    str(MAX_ID), str(MAX_ID + 1), str(2**64), "9" * 30, "-" + "9" * 25, "0" * 40 + "7",
)

piece = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
)
#: Short hostile text: nasty pieces glued together.
short_text = st.lists(piece, max_size=8).map("".join)
#: Up to 20,000 characters: a piece repeated, then cut.
long_text = st.builds(
    lambda part, size: ((part or "x") * (size // max(1, len(part or "x")) + 1))[:size],
    short_text,
    st.integers(min_value=1000, max_value=20_000),
)
hostile_text = st.one_of(short_text, short_text, short_text, long_text)
#: Whitespace-separated arguments, as a command handler receives them.
hostile_args = st.lists(st.one_of(piece, long_text), max_size=5)

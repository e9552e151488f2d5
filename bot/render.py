"""Platform-neutral text helpers: readable maths, safe user text and message splitting.

The words themselves live in `bot.presentation`."""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\d)")
_FENCE = re.compile(r"(```.*?```|`[^`\n]+`)", re.DOTALL)
_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>", re.IGNORECASE)
ZWSP = "\u200b"


@lru_cache(maxsize=1)
def _latex() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


@lru_cache(maxsize=4096)
def latex_to_text(latex: str) -> str:
    """`\\frac{1}{1-p}` -> `1/(1-p)`-like readable text (Unicode Greek, sub/superscripts kept)."""
    # Parenthesise fraction parts so the flattened text keeps its meaning.
    latex = re.sub(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}", r"(\1)/(\2)", latex)
    try:
        text = str(_latex().latex_to_text(latex))
    except Exception:  # pylatexenc raises assorted errors on malformed input; keep the source
        return latex
    text = re.sub(r"\((\w)\)", r"\1", text)  # (1)/(1-p) -> 1/(1-p)
    return re.sub(r"\s+", " ", text).strip()


def render_math(markdown: str) -> str:
    """Replace `$...$` and `$$...$$` outside code with readable text."""
    parts = _FENCE.split(markdown)
    for index in range(0, len(parts), 2):  # even parts are outside code
        part = _DISPLAY_MATH.sub(lambda m: latex_to_text(m.group(1)), parts[index])
        parts[index] = _INLINE_MATH.sub(lambda m: latex_to_text(m.group(1)), part)
    return "".join(parts)


def defuse_mentions(text: str) -> str:
    """Make @everyone, @here and <@id> mentions inert (a zero-width space after the @/<)."""
    return _MENTION.sub(lambda m: m.group(0)[0] + ZWSP + m.group(0)[1:], text)


def split_message(text: str, limit: int) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each part fits `limit`.

    A code fence cut in two is closed at the end of one part and reopened in the next.
    """
    if limit < 20:
        raise ValueError("limit too small to split sensibly")
    parts: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit - 4]  # room to close a fence
        cut = next(
            (pos for sep in ("\n\n", "\n", " ") if (pos := window.rfind(sep)) > limit // 4),
            len(window),
        )
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip("\n ")
        fence = _open_fence(head)
        if fence is not None:
            head += "\n```"
            rest = f"```{fence}\n{rest}"
        parts.append(head)
    if rest:
        parts.append(rest)
    return parts


def _open_fence(text: str) -> str | None:
    """The language of a code fence left open at the end of `text`, if any."""
    fences = re.findall(r"^```(\w*)", text, re.MULTILINE)
    return fences[-1] if len(fences) % 2 == 1 else None


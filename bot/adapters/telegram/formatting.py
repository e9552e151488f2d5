"""Telegram HTML: escaping, content markdown to HTML, visible length and message splitting.

Everything that reaches Telegram with parse_mode=HTML goes through `esc`, `user_text` or
`markdown_html`, so a `<` in a question or a user's name can never break a message.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.render import ZWSP, render_math, split_message

TEXT_LIMIT = 4096  # Telegram's limit on a message's visible text (UTF-16 units)
SOURCE_LIMIT = 3500  # markdown source per part: leaves room for headers and list markers
_TAG = re.compile(r"<[^>]+>")
_LANGUAGE = re.compile(r"[^\w+#.-]")


def esc(text: str) -> str:
    """Escape content text for HTML parse mode."""
    return html.escape(text, quote=False)


def user_text(text: str) -> str:
    """Escape text a user wrote (names, answers): also keep `@name` from pinging anyone."""
    return esc(text.replace("@", "@" + ZWSP))


def visible_length(markup: str) -> int:
    """What Telegram counts against the limit: the text after parsing, in UTF-16 units."""
    text = html.unescape(_TAG.sub("", markup))
    return len(text.encode("utf-16-le")) // 2


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # html=False: raw HTML in content is shown as text, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough")


def markdown_html(source: str, *, code: bool = True) -> str:
    """Content markdown (with `$maths$`) as Telegram HTML.

    `code=False` renders code as plain text: Telegram does not allow code or pre entities
    inside a spoiler.
    """
    tokens = _markdown().parse(render_math(source))
    out: list[str] = []
    lists: list[list[int] | None] = []  # None: bullet list; [n]: ordered, next number
    for token in tokens:
        kind = token.type
        if kind == "inline":
            out.append(_inline(token.children or [], code=code))
        elif kind == "paragraph_close":
            out.append("\n" if token.hidden else "\n\n")
        elif kind == "heading_open":
            out.append("<b>")
        elif kind == "heading_close":
            out.append("</b>\n\n")
        elif kind == "bullet_list_open":
            lists.append(None)
        elif kind == "ordered_list_open":
            lists.append([int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n" if lists else "\n\n")
        elif kind == "list_item_open":
            out.append(_list_marker(lists))
        elif kind in ("fence", "code_block"):
            out.append(_code_block(token, code=code))
        elif kind == "blockquote_open":
            out.append("<blockquote>")
        elif kind == "blockquote_close":
            _strip_trailing_newlines(out)
            out.append("</blockquote>\n\n")
        elif kind == "hr":
            out.append("———\n\n")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def _list_marker(lists: list[list[int] | None]) -> str:
    indent = "  " * (len(lists) - 1)
    current = lists[-1] if lists else None
    if current is None:
        return f"{indent}• "
    number = current[0]
    current[0] += 1
    return f"{indent}{number}. "


def _code_block(token: Token, *, code: bool) -> str:
    body = esc(token.content.rstrip("\n"))
    if not code:
        return f"{body}\n\n"
    language = _LANGUAGE.sub("", (token.info or "").split(" ")[0])[:20]
    if language:
        return f'<pre><code class="language-{language}">{body}</code></pre>\n\n'
    return f"<pre>{body}</pre>\n\n"


def _strip_trailing_newlines(out: list[str]) -> None:
    while out and out[-1].endswith("\n"):
        out[-1] = out[-1].rstrip("\n")
        if out[-1]:
            break
        out.pop()


def _inline(children: list[Token], *, code: bool) -> str:
    parts: list[str] = []
    open_links: list[bool] = []
    for child in children:
        kind = child.type
        if kind == "text":
            parts.append(esc(child.content))
        elif kind == "softbreak":
            parts.append(" ")  # content is wrapped for editors, not for chat bubbles
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "code_inline":
            parts.append(f"<code>{esc(child.content)}</code>" if code else esc(child.content))
        elif kind in ("strong_open", "strong_close"):
            parts.append("<b>" if kind.endswith("open") else "</b>")
        elif kind in ("em_open", "em_close"):
            parts.append("<i>" if kind.endswith("open") else "</i>")
        elif kind in ("s_open", "s_close"):
            parts.append("<s>" if kind.endswith("open") else "</s>")
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
            linked = href.startswith(("https://", "http://"))
            open_links.append(linked)
            if linked:
                parts.append(f'<a href="{html.escape(href, quote=True)}">')
        elif kind == "link_close":
            if open_links and open_links.pop():
                parts.append("</a>")
        elif kind == "image":
            parts.append(esc(child.content))
        else:  # html_inline cannot occur with html=False; anything new is shown as text
            parts.append(esc(child.content))
    return "".join(parts)


def markdown_parts(source: str, *, code: bool = True) -> list[str]:
    """Long content as HTML parts, split in the markdown so every part keeps balanced tags."""
    return [
        rendered
        for part in split_message(source, SOURCE_LIMIT)
        if (rendered := markdown_html(part, code=code))
    ] or [""]


def pack(blocks: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Join balanced HTML blocks into as few messages as fit the visible-length limit."""
    messages: list[str] = []
    current = ""
    for block in (b for b in blocks if b.strip()):
        for piece in _fit(block, limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if current and visible_length(joined) > limit:
                messages.append(current)
                current = piece
            else:
                current = joined
    if current:
        messages.append(current)
    return messages


def _fit(block: str, limit: int) -> list[str]:
    """A block that is too long on its own loses its formatting and is cut as plain text."""
    if visible_length(block) <= limit:
        return [block]
    text = html.unescape(_TAG.sub("", block))
    return [esc(part) for part in split_message(text, limit - 96)]

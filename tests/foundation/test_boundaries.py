"""The layers of `bot/` and what each may import, checked on every module's source.

Every module belongs to one layer (the longest matching prefix in LAYERS); an import of a
`bot` module is allowed only into its own layer or one that layer lists in ALLOWED. Lazy
imports inside functions and relative imports count like any other.
"""

from __future__ import annotations

import ast
from datetime import UTC
from pathlib import Path

import pytest

from bot.ports import SystemClock

BOT = Path(__file__).resolve().parents[2] / "bot"

#: Module prefix -> layer. The deck models (`bot.content.schema`) sit below the domain: the
#: domain grades and selects items, so it reads their shape; loading and checking decks
#: (`bot.content` else) uses the grader and sits above it.
LAYERS: dict[str, str] = {
    "bot": "base",
    "bot.errors": "base",
    "bot.config": "base",
    "bot.logsetup": "base",
    "bot.pacing": "base",  # the send pacer: the outbox sender and an adapter share one
    "bot.watchdog": "base",
    "bot.heap": "base",
    "bot.status": "app",
    "bot.content.schema": "model",
    "bot.domain": "domain",
    "bot.ports": "ports",
    "bot.grading": "grading",
    "bot.content": "content",
    "bot.services": "services",
    "bot.storage": "storage",
    "bot.delivery": "delivery",
    "bot.scheduling": "delivery",
    "bot.presentation": "presentation",
    "bot.render": "presentation",
    "bot.adapters": "adapters",
    "bot.adapters.spec": "adapters",
    "bot.app": "app",
    "bot.cli": "app",
    "bot.__main__": "app",
    "bot.healthcheck": "app",
    "bot.grading.evaluate": "app",  # the grade-eval tool: loads the shipped decks
}

_CORE = {"base", "model", "domain", "ports"}
_ADAPTER = _CORE | {"content", "services", "presentation", "adapters"}

#: Layer -> the other layers it may import. Each folder under bot/adapters is a platform
#: and its own layer (see `layer_of`), so adapters never import each other; what they share
#: lives in `bot.adapters` (layer "adapters").
PLATFORMS = sorted(p.name for p in (BOT / "adapters").iterdir() if (p / "__init__.py").exists())
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "model": {"base"},
    "domain": {"base", "model"},
    "ports": {"base", "model", "domain"},
    "grading": _CORE,
    "content": _CORE | {"grading"},
    "services": _CORE | {"content"},
    "storage": _CORE,
    "delivery": _CORE | {"content", "services"},
    "presentation": _CORE | {"content", "services"},
    "adapters": _ADAPTER - {"adapters"},
    **{f"adapters.{name}": _ADAPTER for name in PLATFORMS},
    "app": set(LAYERS.values()) | {f"adapters.{name}" for name in PLATFORMS},
}

#: Third-party platform libraries, each allowed only in its own adapter.
PLATFORM_LIBRARIES = {"discord": "adapters.discord", "telegram": "adapters.telegram"}


def layer_of(module: str) -> str | None:
    """The layer of a `bot` module: its longest prefix in LAYERS (`bot` itself only exactly,
    so a new top-level module must be placed)."""
    parts = module.split(".")
    if module == "bot":
        return LAYERS[module]
    if parts[:2] == ["bot", "adapters"] and len(parts) > 2 and parts[2] in PLATFORMS:
        return f"adapters.{parts[2]}"
    for end in range(len(parts), 1, -1):
        layer = LAYERS.get(".".join(parts[:end]))
        if layer is not None:
            return layer
    return None


def module_name(path: Path) -> tuple[str, str]:
    """(module, package) of a file under bot/."""
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, relative ones resolved in `package`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                if node.module:
                    found.append((node.lineno, f"{prefix}.{node.module}"))
                else:  # `from . import x`: x may be a module of the package
                    found += [(node.lineno, f"{prefix}.{a.name}") for a in node.names]
            elif node.module:
                found.append((node.lineno, node.module))
    return found


def violations(module: str, package: str, source: str) -> list[str]:
    """Every import in `source` that its layer may not make."""
    layer = layer_of(module)
    if layer is None:
        return [f"{module}: in no layer; add it to LAYERS"]
    problems: list[str] = []
    for line, target in imports(source, package):
        root = target.split(".")[0]
        if root == "bot":
            # `from bot.services import x` names a module of `bot.services` or one of its
            # names; either way the package's layer is what is imported.
            other = layer_of(target)
            if other is None:
                problems.append(f"{module}:{line} imports {target}, which is in no layer")
            elif other != layer and other not in ALLOWED[layer]:
                problems.append(f"{module}:{line} ({layer}) imports {target} ({other})")
        elif root in PLATFORM_LIBRARIES and PLATFORM_LIBRARIES[root] != layer:
            problems.append(f"{module}:{line} ({layer}) imports the {root} library")
    return problems


SOURCES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(BOT.parent)))
def test_every_import_follows_the_layers(path: Path) -> None:
    module, package = module_name(path)
    assert violations(module, package, path.read_text(encoding="utf-8")) == []


def test_every_layer_has_its_rules() -> None:
    assert set(LAYERS.values()) <= set(ALLOWED)
    assert {"console", "discord", "telegram"} <= set(PLATFORMS)


@pytest.mark.parametrize(
    ("module", "package", "source"),
    [
        ("bot.ports", "bot", "from bot.services.results import AnswerResult\n"),
        ("bot.domain.models", "bot.domain", "def f():\n    from bot.storage import x\n"),
        ("bot.services.quiz", "bot.services", "from ..adapters.telegram import render\n"),
        ("bot.services.quiz", "bot.services", "import bot.app\n"),
        ("bot.services.quiz", "bot.services", "from bot.grading.lexical import LexicalGrader\n"),
        ("bot.adapters.discord.x", "bot.adapters.discord", "from bot.adapters.telegram import a\n"),
        ("bot.adapters.discord.x", "bot.adapters.discord", "from bot.app import Runtime\n"),
        ("bot.adapters.console.x", "bot.adapters.console", "import telegram\n"),
        ("bot.storage.sql", "bot.storage", "from bot.delivery import Delivery\n"),
        ("bot.newthing", "bot", "import json\n"),
    ],
)
def test_a_planted_upward_import_is_caught(module: str, package: str, source: str) -> None:
    assert violations(module, package, source)


def test_sideways_and_downward_imports_pass() -> None:
    ok = "from bot.domain.models import ChatKey\nfrom . import render\nimport discord\n"
    assert violations("bot.adapters.discord.x", "bot.adapters.discord", ok) == []
    assert violations("bot.services.quiz", "bot.services", "from .results import X\n") == []


def test_a_planted_file_fails_the_check(tmp_path: Path) -> None:
    planted = tmp_path / "upward.py"
    planted.write_text("from bot.app import bootstrap\n", encoding="utf-8")
    assert violations("bot.domain.upward", "bot.domain", planted.read_text()) == [
        "bot.domain.upward:1 (domain) imports bot.app (app)"
    ]


def test_system_clock_is_aware_utc() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC and now.microsecond == 0


IO_MODULES = {"aiosqlite", "sqlite3", "asyncio", "socket", "os", "pathlib", "io", "requests"}


@pytest.mark.parametrize("path", sorted((BOT / "domain").rglob("*.py")), ids=str)
def test_domain_does_no_io(path: Path) -> None:
    _, package = module_name(path)
    roots = {target.split(".")[0] for _, target in imports(path.read_text("utf-8"), package)}
    assert not roots & IO_MODULES

"""Parse YAML while remembering where each value came from, for `file:line` messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ContentError

# libyaml's parser when PyYAML was built with it (the wheels are): decks load several
# times faster, with the same nodes and line marks.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Located:
    """A parsed YAML document and its node tree, to map a field path back to a line."""

    path: Path
    data: Any
    root: yaml.Node | None

    def line(self, loc: Sequence[str | int]) -> int:
        """1-based line of the deepest node on `loc` that exists (the key line for mappings)."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                        line = key.start_mark.line + 1
                        node = value
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    return line
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def load_located(path: Path) -> Located:
    """Read one YAML file; a syntax error becomes a ContentError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from exc
    loader = _LOADER(text)
    try:
        # One parse: the node tree keeps the lines, and the data is built from it.
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ContentError(f"{path}:{line}: yaml: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}:1: yaml: {exc}") from exc
    finally:
        loader.dispose()
    return Located(path=path, data=data, root=root)

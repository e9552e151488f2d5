"""Parse YAML while remembering where each value came from, for `file:line` messages."""

from __future__ import annotations

import re
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
        line, message = explain_yaml_error(text, exc)
        raise ContentError(f"{path}:{line}: yaml: {message}") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}:1: yaml: {exc}") from exc
    finally:
        loader.dispose()
    return Located(path=path, data=data, root=root)


#: libyaml's wording -> what a deck author would do about it.
_PROBLEMS = (
    ("mapping values are not allowed", "a ': ' inside a value; put the value in quotes"),
    ("cannot start any token", "a character YAML cannot read here (a tab? indent with spaces)"),
    ("expected '-' indicator", "this line does not line up with the list items above it"),
    ("did not find expected key", "this line does not fit the fields above it: check its "
     "indentation, and that no text follows a closing quote (write '' for ' inside '...')"),
    ("could not find expected ':'", "expected 'field: value' on this line"),
    ("found undefined alias", "'*' starts a YAML alias; put the value in quotes"),
    ("found undefined tag handle", "'!' starts a YAML tag; put the value in quotes"),
)
# A line inside a quoted value that reads as a YAML field or list item: the quote ran on.
_SWALLOWED = re.compile(r"\n[ \t]*(?:- )?[A-Za-z_][\w-]*:(?:[ \t]|$)", re.MULTILINE)


def explain_yaml_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """(1-based line, message) for a syntax error, at the line where the trouble starts:
    an unclosed quote or bracket is reported where it opens, not where the file ends."""
    context = exc.context or ""
    problem = exc.problem or str(exc)
    if exc.context_mark is not None:
        opened = exc.context_mark.line + 1
        if "quoted scalar" in context:
            index = exc.context_mark.index
            quote = f"{text[index]} " if index < len(text) and text[index] in "'\"" else ""
            return opened, f"the {quote}quote opened on this line is never closed"
        if "flow sequence" in context or "flow mapping" in context:
            bracket = "[" if "sequence" in context else "{"
            closing = "]" if bracket == "[" else "}"
            return opened, f"the {bracket} opened on this line is never closed with {closing}"
    line = exc.problem_mark.line + 1 if exc.problem_mark else 1
    runaway = _runaway_quote(text, line)
    if runaway is not None:
        return runaway, (
            f"the quote opened on this line runs on to line {line}; is its closing quote "
            "missing?"
        )
    for raw, words in _PROBLEMS:
        if raw in problem:
            return line, words
    return line, f"{problem} ({context})" if context else problem


def _runaway_quote(text: str, error_line: int) -> int | None:
    """The line of the last quoted value before `error_line` that swallowed lines reading
    as YAML fields, which is what a missing closing quote does."""
    found: int | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line + 1 > error_line:
                break
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.end_mark.line > token.start_mark.line
                and _SWALLOWED.search(text[token.start_mark.index : token.end_mark.index])
            ):
                found = token.start_mark.line + 1
    except yaml.YAMLError:
        pass  # the scan stops at the error; what it saw before is enough
    return found

"""Reading what the console user types: a line editor on a terminal, plain lines otherwise.

Both readers return one *submission* at a time: a command line, a choice, or a whole
answer (which may span lines). The session splits a submission into its answer text and
any command lines in it.

Rules for piped input: a line starting with `/` and a command name is a command; if an
answer is being typed it is sent first. An empty line sends the answer, except inside a
```` ``` ```` code fence, where blank lines belong to the answer; a line holding only `.`
or `/send` also sends it. End of input sends what was typed.

On a terminal (prompt_toolkit): Enter sends a command, a choice, or an answer whose last
line is empty; otherwise it starts a new line. Esc-Enter or Alt-Enter sends at any time.
Pasted text (bracketed paste) never sends by itself, blank lines and all.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import os
import re
import threading
from collections import deque
from collections.abc import Iterator
from typing import Protocol, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.key_binding.key_processor import KeyPressEvent

log = logging.getLogger(__name__)

COMMAND = re.compile(r"^/([A-Za-z][A-Za-z_-]*)(?:\s|$)")
SEND_LINES = frozenset({".", "/send"})
FENCE = "```"


def is_command(line: str) -> bool:
    """`/streak`, `/quiz cnn 3`; not `//comment` or `/usr/bin/python`."""
    return COMMAND.match(line.strip()) is not None


def open_fence(lines: list[str]) -> bool:
    """Whether a ``` code fence is left open at the end of `lines`."""
    return sum(1 for line in lines if line.strip().startswith(FENCE)) % 2 == 1


class Reader(Protocol):
    """Where submissions come from; `read` returns None at the end of input and raises
    KeyboardInterrupt on Ctrl-C. `unsent` is text typed but not yet submitted."""

    async def read(self, *, choice: bool) -> str | None: ...

    def unsent(self) -> str: ...


class LineReader:
    """Submissions from a stream of lines (a pipe, a file, a StringIO in tests).

    A daemon thread reads, so a blocked read never keeps the process alive at exit; a
    real file descriptor is read with `os.read`, which holds no lock at interpreter exit.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] | None = None
        self._pending: deque[str] = deque()
        self._lines: list[str] = []
        self._ended = False

    async def read(self, *, choice: bool) -> str | None:
        """The next submission; `choice`: one non-empty line is a whole answer."""
        lines = self._lines
        while True:
            line = await self._next()
            if line is None:
                self._ended = True
                text = "\n".join(lines)
                lines.clear()
                return text if text.strip() else None
            stripped = line.strip()
            if is_command(stripped) and stripped != "/send":
                if lines:
                    self._pending.append(line)
                    return self._take()
                return stripped
            if stripped in SEND_LINES:
                if lines:
                    return self._take()
                return "/send"
            if not stripped:
                if not lines:
                    continue
                if open_fence(lines):
                    lines.append(line)
                    continue
                return self._take()
            if choice and not lines:
                return stripped
            lines.append(line)

    def unsent(self) -> str:
        text = "\n".join(self._lines)
        self._lines.clear()
        return text

    def _take(self) -> str:
        text = "\n".join(self._lines).rstrip()
        self._lines.clear()
        return text

    async def _next(self) -> str | None:
        if self._pending:
            return self._pending.popleft()
        if self._ended:
            return None
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            thread = threading.Thread(
                target=self._pump, args=(loop, self._queue), name="console-input", daemon=True
            )
            thread.start()
        return await self._queue.get()

    def _pump(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str | None]) -> None:
        """Thread: read lines and hand them to the loop; None at the end of input."""
        try:
            try:
                for line in self._lines_of_stream():
                    loop.call_soon_threadsafe(queue.put_nowait, line)
            except (OSError, ValueError, UnicodeError):
                log.warning("reading input failed; ending the session", exc_info=True)
            loop.call_soon_threadsafe(queue.put_nowait, None)
        except RuntimeError:  # the loop closed first: the session is over
            return

    def _lines_of_stream(self) -> Iterator[str]:
        try:
            fd = self._stream.fileno()
        except (OSError, ValueError, AttributeError):
            fd = -1
        if fd < 0:
            while line := self._stream.readline():
                yield line.rstrip("\r\n")
            return
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        partial = ""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            partial += decoder.decode(chunk, final=not chunk)
            *complete, partial = partial.split("\n")
            for line in complete:
                yield line.rstrip("\r")
            if not chunk:
                if partial:
                    yield partial.rstrip("\r")
                return


class TerminalReader:
    """Submissions from prompt_toolkit on a real terminal: history, bracketed paste, a
    visible prompt, and no 4095-character line limit (the terminal is in raw mode)."""

    def __init__(self) -> None:
        self._choice = False
        self._interrupted_text = ""
        self._session: PromptSession[str] = PromptSession(
            history=InMemoryHistory(),
            multiline=True,
            key_bindings=self._bindings(),
            prompt_continuation=lambda width, line, wrap: "." * (width - 1) + " ",
            enable_history_search=False,
        )

    async def read(self, *, choice: bool) -> str | None:
        self._choice = choice
        try:
            text = await self._session.prompt_async("> ")
        except EOFError:
            return None
        return text.rstrip()

    def unsent(self) -> str:
        text, self._interrupted_text = self._interrupted_text, ""
        return text

    def _bindings(self) -> KeyBindings:
        bindings = KeyBindings()

        def sendable(event: KeyPressEvent) -> bool:
            buffer = event.current_buffer
            text = buffer.text
            if not text.strip():
                return False
            lines = text.split("\n")
            last = buffer.document.current_line.strip()
            if is_command(last) or last in SEND_LINES:
                return True
            if self._choice and len(lines) == 1:
                return True
            at_end = buffer.document.is_cursor_at_the_end
            return at_end and not last and not open_fence(lines)

        @bindings.add("enter")
        def _enter(event: KeyPressEvent) -> None:
            buffer = event.current_buffer
            if sendable(event):
                last = buffer.document.current_line.strip()
                if last in SEND_LINES:  # `.` or `/send` alone: send what is above it
                    buffer.text = buffer.text[: buffer.text.rstrip().rfind("\n") + 1]
                buffer.validate_and_handle()
            elif buffer.text.strip():
                buffer.insert_text("\n")

        @bindings.add("escape", "enter")
        def _send(event: KeyPressEvent) -> None:
            if event.current_buffer.text.strip():
                event.current_buffer.validate_and_handle()

        @bindings.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            self._interrupted_text = event.current_buffer.text
            event.app.exit(exception=KeyboardInterrupt())

        return bindings


def reader_for(stream: TextIO) -> Reader:
    """The line editor on an interactive terminal, plain lines otherwise."""
    try:
        interactive = stream.isatty() and os.isatty(1)
    except (OSError, ValueError, AttributeError):
        interactive = False
    if interactive:
        try:
            return TerminalReader()
        except Exception:  # no usable terminal after all (an odd TERM, say): plain lines
            log.warning("line editor unavailable; reading plain lines", exc_info=True)
    return LineReader(stream)

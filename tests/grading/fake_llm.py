"""A fake OpenAI-compatible chat completions server on 127.0.0.1, for offline tests.

It runs on its own event loop in a thread, so both async tests and the synchronous CLI
(which runs `asyncio.run`) can talk to it. Each request is recorded; the reply is the next
scripted one, else `default` (a function of the request body).

Example::

    with FakeLLM() as fake:
        fake.script(grade_reply([(1, "covered", "dropped at random")], "partial"))
        ...                                 # point GRADER_LLM_URL at fake.url
        assert fake.requests[0].body["model"] == "fake-model"
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """One scripted response: an HTTP status, a JSON body (or raw text), a delay first."""

    body: JSONDict | str
    status: int = 200
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    body: JSONDict
    headers: dict[str, str]
    path: str


def completion(content: str) -> JSONDict:
    """A chat completion envelope around the assistant's message content."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


def grade_reply(
    points: Iterable[tuple[int, str, str]],
    verdict: str,
    feedback: str = "Good start.",
    misconceptions: Iterable[tuple[int, str]] = (),
    *,
    delay: float = 0.0,
) -> Reply:
    """A model grade: (key point number, status, quote) per point."""
    grade = {
        "points": [{"point": n, "status": s, "quote": q} for n, s, q in points],
        "misconceptions": [{"misconception": n, "quote": q} for n, q in misconceptions],
        "verdict": verdict,
        "feedback": feedback,
    }
    return Reply(completion(json.dumps(grade)), delay=delay)


def _all_missed(body: JSONDict) -> Reply:
    return grade_reply([], "incorrect", "Nothing to go on.")


@dataclass
class FakeLLM:
    """The server; `structured=False` answers json_schema requests with a 400 as servers
    without structured output do."""

    structured: bool = True
    default: Callable[[JSONDict], Reply] = _all_missed
    requests: list[Request] = field(default_factory=list)
    _replies: deque[Reply] = field(default_factory=deque)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    def __enter__(self) -> FakeLLM:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        def serve() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-llm", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake LLM server did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        assert self._loop is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(Request(body, dict(request.headers), request.path))
        fmt = (body.get("response_format") or {}).get("type")
        if not self.structured and fmt == "json_schema":
            error = {"error": {"message": "response_format json_schema is not supported"}}
            return web.json_response(error, status=400)
        reply = self._replies.popleft() if self._replies else self.default(body)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if isinstance(reply.body, str):
            return web.Response(text=reply.body, status=reply.status)
        return web.json_response(reply.body, status=reply.status)

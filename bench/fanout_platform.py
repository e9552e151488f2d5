"""`python -m bench.fanout_platform telegram|discord N`: one fake platform for the fan-out
benchmark (`bench.fanout10k`), in a process of its own so the bot's figures (loop lag,
answer latency, peak RSS) leave out the fake's work and memory.

The fake enforces tests/adapters/ratelimits.py's rules. It talks to the parent over JSON
lines: on start it prints `{"event": "ready", ...}` with where to reach it; then it reads
commands from stdin and answers each with one line:

- `{"cmd": "start"}`: the fan-out begins now (calls from here on count); on Telegram a
  group member starts answering posted questions. Answer: `{"event": "started"}`.
- `{"cmd": "finish"}`: the fan-out is over; answers with
  `{"event": "figures", "figures": [[name, value, unit], ...]}` computed from the calls
  the fake recorded, answer latencies measured on this process's clock.

End of input closes the fake and ends the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import statistics
import sys
import time
from collections import Counter
from typing import Any, Protocol

from tests.adapters.discord.fake_api import FakeDiscord
from tests.adapters.ratelimits import RateRules, discord_rules, telegram_rules
from tests.adapters.telegram.fake_api import FakeTelegram, RecordedCall, make_user
from tests.factories import GOOD

#: First group chat id of the Telegram run; chat n is FIRST_CHAT - n (supergroups).
FIRST_CHAT = -1_000_000_000_000
#: Answers sent per second during the Telegram fan-out.
ANSWERS_PER_SECOND = 1.0
#: Seconds an answer waits for the bot's reply before it counts as unanswered.
REPLY_TIMEOUT = 10.0

Figure = tuple[str, float | int, str]


def telegram_chats(chats: int) -> list[int]:
    """The Telegram run's group chat ids."""
    return [FIRST_CHAT - n for n in range(chats)]


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[98]


def fanout_figures(
    prefix: str,
    chats: int,
    limit: int,
    per_chat: Counter[int],
    times: list[tuple[float, float]],
    rules: RateRules,
    limited: int,
) -> list[Figure]:
    """The fan-out's figures; `times`: (request start, answer) of every accepted post."""
    span = (max(end for _, end in times) - min(start for start, _ in times)) if times else 0.0
    return [
        (f"{prefix}.chats", chats, "chats"),
        (f"{prefix}.ratio", span / (chats / limit), "x"),
        (f"{prefix}.peak_1s", rules.peak(1.0), "sends"),
        (f"{prefix}.rate_limited", limited, "429s"),
        (f"{prefix}.lost", chats - len(per_chat), "chats"),
        (f"{prefix}.duplicates", sum(n - 1 for n in per_chat.values() if n > 1), "posts"),
    ]


class Platform(Protocol):
    async def open(self) -> dict[str, Any]: ...
    def begin(self) -> None: ...
    async def finish(self) -> list[Figure]: ...
    async def close(self) -> None: ...


class TelegramSide:
    """The fake Telegram, and a group member answering posts while they go out."""

    def __init__(self, chats: int) -> None:
        self.chats = chats
        self.rules = telegram_rules()
        self.fake = FakeTelegram(limits=self.rules)
        self.mark = 0
        self.latencies: list[float] = []
        self._stop = asyncio.Event()
        self._answering: asyncio.Task[None] | None = None

    async def open(self) -> dict[str, Any]:
        await self.fake.start()
        return {"base_url": self.fake.base_url, "token": self.fake.token}

    def begin(self) -> None:
        self.mark = self.fake.mark()
        self._answering = asyncio.create_task(self._answer())

    def _is_post(self, call: RecordedCall) -> bool:
        return (
            call.method.lower() in ("sendmessage", "sendpoll") and call.status == 200
            and int(call.params["chat_id"]) <= FIRST_CHAT
            and bool(call.params.get("reply_markup")) and not call.params.get("reply_parameters")
        )

    async def _answer(self) -> None:
        """Once a second a member of a group whose post is out (the middle one of those
        posted and not yet answered) replies to it; the latency runs from the update's
        arrival at the fake to the bot's reply reaching the fake."""
        answered: set[int] = set()
        posted: list[RecordedCall] = []
        seen = self.mark
        n = 0
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), 1 / ANSWERS_PER_SECOND)
            if self._stop.is_set():
                return
            # Scanned once each: the calls list grows by the whole fan-out.
            upto = len(self.fake.calls)
            for call in self.fake.calls[seen:upto]:
                if call.done and call.method.lower() == "sendmessage" and self._is_post(call):
                    posted.append(call)
                elif not call.done:
                    upto = call.index  # not answered yet: look again next time
                    break
            seen = upto
            posted = [c for c in posted if int(c.params["chat_id"]) not in answered]
            if not posted:
                continue
            message = self.fake.message_for(posted[len(posted) // 2])
            answered.add(message.chat_id)
            n += 1
            await self._answer_one(message.chat_id, message, n)

    async def _answer_one(self, chat_id: int, message: Any, n: int) -> None:
        user = make_user(5_000_000 + n, f"Learner{n}")
        chat = {"id": chat_id, "type": "supergroup", "title": "group"}
        since = self.fake.mark()
        started = time.monotonic()
        self.fake.send_text(GOOD, user=user, chat=chat, reply_to=message)
        with contextlib.suppress(TimeoutError):
            reply = await self.fake.wait_for_call(
                "sendMessage",
                lambda c: int(c.params["chat_id"]) == chat_id,
                since=since,
                timeout=REPLY_TIMEOUT,
            )
            self.latencies.append((reply.started - started) * 1000)

    async def finish(self) -> list[Figure]:
        self._stop.set()
        if self._answering is not None:
            await self._answering
        posts = [c for c in self.fake.calls[self.mark :] if self._is_post(c)]
        per_chat = Counter(int(c.params["chat_id"]) for c in posts)
        times = [(c.started, c.finished or c.started) for c in posts]
        return [
            *fanout_figures("fanout_telegram_10k", self.chats, 30, per_chat, times,
                            self.rules, self.fake.rate_limited),
            ("fanout.answer_p99_ms", p99(self.latencies), "ms"),
            ("fanout.answers", len(self.latencies), "answers"),
        ]

    async def close(self) -> None:
        self._stop.set()
        await self.fake.close()


class DiscordSide:
    """The fake Discord with one guild of `chats` text channels."""

    def __init__(self, chats: int) -> None:
        self.chats = chats
        self.rules = discord_rules()
        self.fake = FakeDiscord(limits=self.rules)
        self.guild = self.fake.add_guild("fanout", channels=[f"c{n}" for n in range(chats)])
        self.started_at = 0.0

    async def open(self) -> dict[str, Any]:
        await self.fake.start()
        return {
            "api_base": self.fake.api_base,
            "gateway_url": self.fake.gateway_url,
            "channels": [ch.id for ch in self.guild.channels],
        }

    def begin(self) -> None:
        # The clock the fake stamps requests with.
        self.started_at = asyncio.get_running_loop().time()

    async def finish(self) -> list[Figure]:
        wanted = {ch.id for ch in self.guild.channels}
        posts = [
            r for r in self.fake.requests
            if r.method == "POST" and r.status == 200 and r.time >= self.started_at
            and channel_of(r.path) in wanted and r.path.endswith("/messages")
        ]
        per_chat = Counter(channel_of(r.path) for r in posts)
        return fanout_figures("fanout_discord_10k", self.chats, 50, per_chat,
                              [(r.time, r.time) for r in posts], self.rules,
                              self.fake.rate_limited)

    async def close(self) -> None:
        await self.fake.close()


def channel_of(path: str) -> int:
    parts = path.strip("/").split("/")
    return int(parts[1]) if len(parts) >= 3 and parts[0] == "channels" else 0


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


async def serve(platform: str, chats: int) -> None:
    side: Platform = TelegramSide(chats) if platform == "telegram" else DiscordSide(chats)
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    try:
        say("ready", **await side.open())
        while line := await commands.readline():
            cmd = json.loads(line)["cmd"]
            if cmd == "start":
                side.begin()
                say("started")
            elif cmd == "finish":
                say("figures", figures=await side.finish())
            else:
                raise ValueError(f"unknown command {cmd!r}")
    finally:
        await side.close()


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    if len(argv) != 2 or argv[0] not in ("telegram", "discord") or not argv[1].isdigit():
        sys.exit("usage: python -m bench.fanout_platform telegram|discord N")
    asyncio.run(serve(argv[0], int(argv[1])))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Wire-level fuzz: thousands of random valid interactions (slash commands with hostile
options, button clicks and double clicks, hostile custom ids, answer modals with hostile
text) through the real discord.py stack against the fake. Seeded: `PREPBOT_FUZZ_SEED`,
size `PREPBOT_FUZZ_UPDATES` (default 2,000).

Passes when nothing is logged at ERROR, every interaction got a response, and the fake
rejected none of the bot's requests; response times are printed and loosely bounded.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import pytest

from tests.adapters.discord.fake_api import (
    CALLBACK_MODAL,
    JSON,
    MESSAGE_COMPONENT,
    FakeAttachment,
    FakeDiscord,
    FakeInteraction,
)
from tests.adapters.discord.support import Harness, discord_harness, fake_discord
from tests.hostile.wire import FUZZ_SEED, FUZZ_UPDATES, fuzz_args, fuzz_text

__all__ = ["discord_harness", "fake_discord"]

MODAL_LIMIT = 4000  # the answer field's max_length
OPTION_LIMIT = 6000  # Discord's limit on a string option
SUBCOMMANDS = (1, 2)


def option_value(rng: random.Random, fake: FakeDiscord, definition: JSON) -> Any:
    """A value Discord itself would let through for this option definition."""
    if definition.get("choices"):
        return rng.choice(definition["choices"])["value"]
    kind = int(definition["type"])
    if kind == 3:
        low = int(definition.get("min_length") or 0)
        high = int(definition.get("max_length") or OPTION_LIMIT)
        text = fuzz_text(rng, high)
        return text if len(text) >= low else (text * low)[: max(low, 1)]
    if kind == 4:
        low = int(definition.get("min_value", -(2**53)))
        high = int(definition.get("max_value", 2**53))
        return rng.choice([low, high, rng.randint(low, high)])
    if kind == 5:
        return rng.random() < 0.5
    if kind == 6:
        return rng.choice([fake.user, fake.admin])
    if kind == 7:
        return fake.channel
    if kind == 11:  # an attachment: a hostile file under a hostile name
        name = fuzz_text(rng, 40).replace("/", "_") or "deck"
        return FakeAttachment(name, fuzz_text(rng, 2000).encode("utf-8", "surrogatepass"))
    return None


def slash_call(rng: random.Random, fake: FakeDiscord) -> tuple[str, dict[str, Any]]:
    """A random synced command, with a random subcommand and options."""
    commands = list(fake.commands.get(None, {}).values()) + list(
        fake.commands.get(fake.guild.id, {}).values()
    )
    command = rng.choice(commands)
    name = command["name"]
    definitions: list[JSON] = command.get("options") or []
    while definitions and int(definitions[0]["type"]) in SUBCOMMANDS:
        sub = rng.choice(definitions)
        name += " " + sub["name"]
        definitions = sub.get("options") or []
    options: dict[str, Any] = {}
    for definition in definitions:
        if definition.get("required") or rng.random() < 0.6:
            value = option_value(rng, fake, definition)
            if value is not None:
                options[definition["name"]] = value
    return name, options


def buttons(fake: FakeDiscord) -> list[tuple[int, str]]:
    """(message id, custom id) of the buttons on the bot's latest messages."""
    found: list[tuple[int, str]] = []
    for message in list(fake.messages.values())[-12:]:
        for row in message.get("components") or []:
            for component in row.get("components") or []:
                if component.get("custom_id"):
                    found.append((int(message["id"]), component["custom_id"]))
    return found


async def one_interaction(h: Harness, rng: random.Random) -> list[FakeInteraction]:
    fake = h.fake
    user = rng.choice([fake.user, fake.admin, fake.owner])
    roll = rng.random()
    targets = buttons(fake)
    if roll < 0.35 and targets:
        message_id, custom_id = rng.choice(targets)
        times = 2 if rng.random() < 0.2 else 1
        return [
            await fake.component(custom_id, message_id=message_id, user=user)
            for _ in range(times)
        ]
    if roll < 0.4:
        custom_id = ("prepbot:" + fuzz_args(rng, 92))[:100]
        return [await fake.component(custom_id, user=user)]
    modals = [cb.data["custom_id"] for cb in fake.callbacks[-20:] if cb.type == CALLBACK_MODAL]
    if roll < 0.55 and modals:
        text = fuzz_text(rng, MODAL_LIMIT)
        return [await fake.modal_submit(rng.choice(modals), {"answer": text}, user=user)]
    name, options = slash_call(rng, fake)
    return [await fake.slash(name, options, user=user)]


def what(fake: FakeDiscord, path: str, at: float) -> str:
    """The interaction a request answered, for a failure message."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "interactions" and parts[2].isdigit():
        inter = fake.interactions.get(int(parts[2]))
        if inter is not None:
            waited = at - inter.created
            return f"type {inter.type} {str(inter.payload.get('data'))[:200]} waited {waited:.2f}"
    return ""


async def settle(fake: FakeDiscord, quiet: float, timeout: float = 120.0) -> None:
    """Wait until the bot made no request for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = -1
    while loop.time() < deadline:
        if len(fake.requests) == seen:
            return
        seen = len(fake.requests)
        await asyncio.sleep(quiet)
    raise TimeoutError(f"the bot was still busy after {timeout}s")


@pytest.mark.timeout(900)
async def test_fuzzed_interactions_leave_no_trace(
    discord_harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_harness
    h.fake.interaction_deadline = None  # latency is asserted at the end, see there
    rng = random.Random(FUZZ_SEED)
    await h.services.schedules.subscribe(h.chat_key(), "23:00", topics="regularization")
    caplog.set_level(logging.ERROR)
    sent: list[FakeInteraction] = []
    for n in range(FUZZ_UPDATES):
        sent += await one_interaction(h, rng)
        if n % 10 == 9:
            await settle(h.fake, quiet=0.15)
    await settle(h.fake, quiet=3.0)

    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[:10]
    rejected = [
        f"{r.method} {r.path[:40]}: {r.status} {r.response} {what(h.fake, r.path, r.time)}"
        for r in h.fake.requests
        if r.status >= 400
    ]
    assert not rejected, rejected[:10]
    unanswered = [
        (inter.type, inter.payload.get("data")) for inter in sent if inter.callback is None
    ]
    assert not unanswered, f"{len(unanswered)} of {len(sent)} never answered: {unanswered[:5]}"
    # Latency, separately from robustness: the fake's 3 s deadline is lifted for this run
    # (one stall of a starved 2-core machine would otherwise fail a robustness test); the
    # busy-group tests hold acknowledgements to 1 s. Under load a few clicks wait longer.
    waits = sorted(inter.callback.time - inter.created for inter in sent if inter.callback)
    clicks = [inter for inter in sent if inter.type == MESSAGE_COMPONENT]
    click_waits = sorted(i.callback.time - i.created for i in clicks if i.callback)
    print(
        f"discord fuzz: {len(sent)} interactions, {len(clicks)} clicks; response p50 "
        f"{waits[len(waits) // 2]:.3f} s, p99 {waits[len(waits) * 99 // 100]:.3f} s, "
        f"max {waits[-1]:.3f} s"
    )
    assert sum(wait > 3.0 for wait in waits) <= len(waits) // 500, waits[-5:]
    assert sum(wait > 1.0 for wait in click_waits) <= len(click_waits) // 20, click_waits[-5:]

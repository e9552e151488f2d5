"""Smoke tests: the real, unmodified python-telegram-bot works against FakeTelegram."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import aiohttp
import pytest
from telegram import (
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Poll,
    PollAnswer,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from tests.adapters.telegram.fake_api import (
    FakeTelegram,
    command_entities,
    make_group,
    make_user,
    parse_html,
)
from tests.adapters.telegram.fake_fixtures import application_builder, running_application

pytestmark = pytest.mark.timeout(30)

Context = ContextTypes.DEFAULT_TYPE
BOB = make_user(2002, "Bob", username="bob")
GROUP = make_group(-1001234567890, "Interview prep")


async def test_start_command_reply_is_recorded(fake_telegram: FakeTelegram) -> None:
    """(a) /start in private and in a group (with @botname) is answered with sendMessage."""
    seen: list[str] = []

    async def start(update: Update, context: Context) -> None:
        assert update.effective_message is not None and update.effective_user is not None
        seen.append(update.effective_message.text or "")
        await update.effective_message.reply_text(f"Hello {update.effective_user.first_name}")

    async def on_reply(update: Update, context: Context) -> None:
        message = update.effective_message
        assert message is not None and message.reply_to_message is not None
        await message.reply_text(f"graded {message.text} for #{message.reply_to_message.id}")

    app = application_builder(fake_telegram).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT & ~filters.COMMAND, on_reply))
    async with running_application(app):
        fake_telegram.send_text("/start")
        call = await fake_telegram.wait_for_call("sendMessage")
        assert call.ok
        assert call.params["chat_id"] == fake_telegram.default_user["id"]
        assert call.params["text"] == "Hello Alice"

        hello = fake_telegram.message_for(call)
        mark = fake_telegram.mark()
        fake_telegram.send_text("42", reply_to=hello)
        graded = await fake_telegram.wait_for_call("sendMessage", since=mark)
        assert graded.params["text"] == f"graded 42 for #{hello.message_id}"

        mark = fake_telegram.mark()
        fake_telegram.send_text("/start@otherbot", chat=GROUP, user=BOB)  # not for us
        fake_telegram.send_text("/start@prepbot_test_bot", chat=GROUP, user=BOB)
        group_call = await fake_telegram.wait_for_call("sendMessage", since=mark)

    assert group_call.params["chat_id"] == GROUP["id"]
    assert group_call.params["text"] == "Hello Bob"
    assert seen == ["/start", "/start@prepbot_test_bot"]
    reply = fake_telegram.message_for(group_call)
    assert reply.data["reply_to_message"]["text"] == "/start@prepbot_test_bot"
    assert [m.text for m in fake_telegram.sent_messages()] == [
        "Hello Alice",
        f"graded 42 for #{hello.message_id}",
        "Hello Bob",
    ]
    methods = [c.method for c in fake_telegram.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert fake_telegram.unknown_calls == []


async def test_button_press_is_answered_and_message_edited(fake_telegram: FakeTelegram) -> None:
    """(b) a CallbackQueryHandler answers the query and edits the message."""

    async def on_button(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Revealed")
        await query.edit_message_text(f"<b>Answer</b> for {query.data}", parse_mode=ParseMode.HTML)

    app = application_builder(fake_telegram).build()
    app.add_handler(CallbackQueryHandler(on_button))
    chat_id = fake_telegram.default_user["id"]
    async with running_application(app):
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Show answer", callback_data="q:1")]]
        )
        sent = await app.bot.send_message(chat_id, "What is 2+2?", reply_markup=keyboard)
        stored = fake_telegram.message(chat_id, sent.message_id)
        assert stored.callback_data == ["q:1"]

        update = fake_telegram.press_button(stored, text="Show answer")
        answer = await fake_telegram.wait_for_call("answerCallbackQuery")
        edit = await fake_telegram.wait_for_call("editMessageText")

    assert answer.params["callback_query_id"] == update["callback_query"]["id"]
    assert answer.params["text"] == "Revealed"
    assert edit.ok and edit.params["message_id"] == sent.message_id
    assert stored.text == "Answer for q:1"
    assert stored.entities == [{"type": "bold", "offset": 0, "length": 6}]
    assert stored.edited and stored.versions[0]["text"] == "What is 2+2?"
    assert stored.reply_markup is None  # an edit without reply_markup drops the keyboard


async def test_poll_answer_reaches_handler(fake_telegram: FakeTelegram) -> None:
    """(c) a quiz poll sent by the bot parses, and its poll_answer reaches a handler."""
    answers: asyncio.Queue[PollAnswer] = asyncio.Queue()

    async def on_answer(update: Update, context: Context) -> None:
        assert update.poll_answer is not None
        await answers.put(update.poll_answer)

    app = application_builder(fake_telegram).build()
    app.add_handler(PollAnswerHandler(on_answer))
    async with running_application(app):
        message = await app.bot.send_poll(
            GROUP["id"],
            "Which is O(1)?",
            ["list.append", "list.insert(0)", "sorted"],
            type=Poll.QUIZ,
            correct_option_ids=[0],
            is_anonymous=False,
        )
        assert message.poll is not None
        assert message.poll.correct_option_ids == (0,)
        assert not message.poll.allows_revoting
        poll_id = message.poll.id
        fake_telegram.answer_poll(poll_id, [0], user=BOB)
        answer = await asyncio.wait_for(answers.get(), 5)

    assert answer.poll_id == poll_id
    assert answer.option_ids == (0,)
    assert isinstance(answer.option_ids, tuple)
    assert answer.option_persistent_ids == (message.poll.options[0].persistent_id,)
    assert answer.user is not None and answer.user.id == BOB["id"]
    poll_state = fake_telegram.poll_message(poll_id).poll
    assert poll_state is not None and poll_state["total_voter_count"] == 1


async def test_429_surfaces_as_retry_after_without_limiter(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(d1) without a rate limiter, a 429 reaches the caller as RetryAfter."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB 22 warns on int retry_after otherwise
    fake_telegram.fail("sendMessage", 429, retry_after=1)
    app = application_builder(fake_telegram).build()
    async with app:
        with pytest.raises(RetryAfter, match="Flood control exceeded") as raised:
            await app.bot.send_message(GROUP["id"], "daily question")
        assert raised.value.retry_after == dt.timedelta(seconds=1)
        sent = await app.bot.send_message(GROUP["id"], "daily question")  # failed only once
    calls = fake_telegram.calls_to("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert [m.message_id for m in fake_telegram.sent_messages()] == [sent.message_id]


async def test_429_is_honoured_by_aio_rate_limiter(
    fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(d2) with AIORateLimiter(max_retries=1) the send waits retry_after and succeeds."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    fake_telegram.fail("sendMessage", 429, retry_after=1)
    app = application_builder(fake_telegram).rate_limiter(AIORateLimiter(max_retries=1)).build()
    async with app:
        sent = await app.bot.send_message(GROUP["id"], "daily question")
    first, second = fake_telegram.calls_to("sendMessage")
    assert (first.status, second.status) == (429, 200)
    assert second.started - first.finished >= 1.0  # type: ignore[operator]
    assert fake_telegram.message_for(second).message_id == sent.message_id
    assert fake_telegram.last_sent(GROUP["id"]).text == "daily question"


async def test_403_raises_forbidden(fake_telegram: FakeTelegram) -> None:
    """(e) a 403 raises Forbidden; a kicked bot and a migrated group fail like Telegram."""
    fake_telegram.fail("sendMessage", 403, chat_id=BOB["id"], times=None)
    app = application_builder(fake_telegram).build()
    async with app:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(BOB["id"], "hi")
        await app.bot.send_message(fake_telegram.default_user["id"], "other chats still work")

        fake_telegram.kick_bot(GROUP, by=BOB)
        with pytest.raises(Forbidden, match="kicked from the supergroup chat"):
            await app.bot.send_message(GROUP["id"], "hi")

        old_group = make_group(-4242, "Small group", supergroup=False)
        fake_telegram.migrate_group(old_group)
        with pytest.raises(ChatMigrated) as migrated:
            await app.bot.send_message(old_group["id"], "hi")
        assert migrated.value.new_chat_id == -1004242
        await app.bot.send_message(-1004242, "moved")
    assert [c.status for c in fake_telegram.calls_to("sendMessage")] == [403, 200, 403, 400, 200]


async def test_shutdown_with_pending_long_poll_abandons_it(fake_telegram: FakeTelegram) -> None:
    """(f) stopping PTB while a 30 s long-poll is pending does not wait for its answer."""
    app = application_builder(fake_telegram).build()
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=30)
        await app.start()
        poll = await fake_telegram.wait_for_long_poll()
        assert poll.params["timeout"] == 30
        await app.updater.stop()
        await app.stop()
    # PTB hung up on the pending poll (the fake saw the client go) instead of waiting it out.
    gone = await fake_telegram.wait_for_call("getUpdates", lambda call: call is poll)
    assert gone.status == 499


async def test_closing_fake_releases_pending_long_poll(fake_telegram: FakeTelegram) -> None:
    """(f) closing the fake answers a pending long-poll at once."""
    async with aiohttp.ClientSession() as session:
        url = f"{fake_telegram.base_url}{fake_telegram.token}/getUpdates"
        # Longer than the test's timeout: only the close can answer it in time.
        request = asyncio.create_task(session.post(url, data={"timeout": "3600"}))
        await fake_telegram.wait_for_long_poll()
        await fake_telegram.close()
        response = await request
        body = await response.json()
    assert body == {"ok": True, "result": []}


async def test_get_updates_offset_timeout_and_allowed_updates(fake_telegram: FakeTelegram) -> None:
    """The raw long-poll queue: offsets confirm, allowed_updates filters, timeout waits."""
    url = f"{fake_telegram.base_url}{fake_telegram.token}/getUpdates"
    first = fake_telegram.send_text("one")
    second = fake_telegram.send_text("two")
    async with aiohttp.ClientSession() as session:

        async def get(**params: Any) -> list[dict[str, Any]]:
            async with session.post(url, json=params) as response:
                body = await response.json()
            assert body["ok"], body
            result: list[dict[str, Any]] = body["result"]
            return result

        assert [u["update_id"] for u in await get()] == [first["update_id"], second["update_id"]]
        assert await get(offset=second["update_id"] + 1, timeout=0) == []
        assert fake_telegram.pending_updates == []

        # With nothing queued a poll parks until its timeout, then answers empty.
        expiring = asyncio.create_task(get(timeout=0.2))
        parked = await fake_telegram.wait_for_long_poll()
        assert parked.params["timeout"] == 0.2
        assert await expiring == []

        waiting = asyncio.create_task(get(timeout=10, allowed_updates=["callback_query"]))
        await fake_telegram.wait_for_long_poll()
        # Had the filter let it through, this update would be the (first) one answered.
        fake_telegram.send_text("filtered out")
        sent = await bot_sends_button(fake_telegram)
        pressed = fake_telegram.press_button(sent, "b")
        assert [u["update_id"] for u in await waiting] == [pressed["update_id"]]
        await fake_telegram.wait_fetched(pressed)

    raw = fake_telegram.calls_to("getUpdates")[-1]
    assert raw.params["allowed_updates"] == ["callback_query"]


async def bot_sends_button(fake: FakeTelegram) -> Any:
    """Have the bot (through raw HTTP) send a message with one button ``b``."""
    async with aiohttp.ClientSession() as session:
        form = {
            "chat_id": "1001",
            "text": "pick",
            "reply_markup": '{"inline_keyboard": [[{"text": "B", "callback_data": "b"}]]}',
        }
        async with session.post(f"{fake.base_url}{fake.token}/sendMessage", data=form) as resp:
            body = await resp.json()
    assert body["ok"], body
    return fake.message(1001, body["result"]["message_id"])


async def test_form_values_are_json_decoded_but_text_stays_text(
    fake_telegram: FakeTelegram,
) -> None:
    """PTB's form encoding: non-string values are JSON; string params are kept verbatim."""
    app = application_builder(fake_telegram).build()
    async with app:
        await app.bot.send_message(
            GROUP["id"],
            "42",
            disable_notification=True,
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="1")]]),
        )
    call = fake_telegram.last_call("sendMessage")
    assert call.raw["chat_id"] == str(GROUP["id"])
    assert call.params["chat_id"] == GROUP["id"]
    assert call.params["text"] == "42"
    assert call.params["disable_notification"] is True
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "1"


async def test_photo_upload_is_stored(fake_telegram: FakeTelegram) -> None:
    """sendPhoto as a multipart upload: the file and the parsed caption are stored."""
    app = application_builder(fake_telegram).build()
    async with app:
        message = await app.bot.send_photo(
            GROUP["id"], b"\x89PNG fake chart", caption="<i>Streaks</i>", parse_mode="HTML"
        )
    assert message.photo and message.caption == "Streaks"
    stored = fake_telegram.last_sent(GROUP["id"])
    assert stored.upload is not None and stored.upload.data == b"\x89PNG fake chart"
    assert stored.entities == [{"type": "italic", "offset": 0, "length": 7}]


async def test_chat_members_commands_and_other_updates(fake_telegram: FakeTelegram) -> None:
    """getChatMember statuses, command registration, edits, kicks, migrations, errors."""
    events: asyncio.Queue[str] = asyncio.Queue()

    async def on_edit(update: Update, context: Context) -> None:
        assert update.edited_message is not None
        await events.put(f"edited:{update.edited_message.text}")

    async def on_member(update: Update, context: Context) -> None:
        assert update.my_chat_member is not None
        await events.put(f"member:{update.my_chat_member.new_chat_member.status}")

    async def on_migrate(update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await events.put(f"migrate:{update.effective_message.migrate_to_chat_id}")

    app = application_builder(fake_telegram).build()
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
    fake_telegram.add_chat(GROUP)
    fake_telegram.set_member_status(GROUP["id"], 1001, "creator")
    fake_telegram.set_member_status(GROUP["id"], 3003, "administrator")
    async with running_application(app, allowed_updates=Update.ALL_TYPES):
        bot = app.bot
        owner = await bot.get_chat_member(GROUP["id"], 1001)
        admin = await bot.get_chat_member(GROUP["id"], 3003)
        member = await bot.get_chat_member(GROUP["id"], BOB["id"])
        assert isinstance(owner, ChatMemberOwner)
        assert isinstance(admin, ChatMemberAdministrator)
        assert isinstance(member, ChatMemberMember)
        assert len(await bot.get_chat_administrators(GROUP["id"])) == 2
        chat = await bot.get_chat(GROUP["id"])
        assert chat.title == "Interview prep"
        await bot.send_chat_action(GROUP["id"], "typing")

        await bot.set_my_commands([("start", "Start"), ("daily", "Today's question")])
        commands = await bot.get_my_commands()
        assert [c.command for c in commands] == ["start", "daily"]
        with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
            await bot.set_my_commands([("Bad-Command", "nope")])
        with pytest.raises(BadRequest, match=r"(?i)can.t parse entities"):
            await bot.send_message(GROUP["id"], "a < b", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
            await bot.send_message(
                GROUP["id"],
                "x",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("long", callback_data="x" * 65)]]
                ),
            )
        sent = await bot.send_message(GROUP["id"], "same")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("same", GROUP["id"], sent.message_id)
        assert await bot.close() is True

        original = fake_telegram.make_message("/answer 41", user=BOB, chat=GROUP)
        fake_telegram.edit_user_message(original, "/answer 42")
        assert await asyncio.wait_for(events.get(), 5) == "edited:/answer 42"
        fake_telegram.kick_bot(GROUP, by=BOB)
        assert await asyncio.wait_for(events.get(), 5) == "member:kicked"
        old = make_group(-555, "Old", supergroup=False)
        fake_telegram.migrate_group(old)
        assert await asyncio.wait_for(events.get(), 5) == "migrate:-100555"

    assert fake_telegram.unknown_calls == []


async def test_unknown_method_is_404_and_recorded(fake_telegram: FakeTelegram) -> None:
    """Unknown methods answer 404 "method not found" and are kept in ``unknown_calls``."""
    async with aiohttp.ClientSession() as session:
        url = f"{fake_telegram.base_url}{fake_telegram.token}/sendTelepathy"
        async with session.post(url, json={"chat_id": 1}) as response:
            assert response.status == 404
            body = await response.json()
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert [c.method for c in fake_telegram.unknown_calls] == ["sendTelepathy"]


def test_html_parsing_and_command_entities() -> None:
    """Telegram HTML to text + UTF-16 entities, and bot_command entities."""
    text, entities = parse_html(
        '😀 <b>bold</b> &lt;tag&gt; <pre><code class="language-python">x = 1</code></pre>'
        ' <a href="https://example.com">link</a> <tg-spoiler>secret</tg-spoiler>'
    )
    assert text == "😀 bold <tag> x = 1 link secret"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "pre", "language": "python", "offset": 14, "length": 5},
        {"type": "text_link", "url": "https://example.com", "offset": 20, "length": 4},
        {"type": "spoiler", "offset": 25, "length": 6},
    ]
    for bad in ("<br>", "<b>open", "<b>x</i>", "1 < 2"):
        with pytest.raises(Exception, match="can't parse entities"):
            parse_html(bad)
    assert command_entities("😀 /quiz@prepbot_test_bot sql 3 and /stop") == [
        {"type": "bot_command", "offset": 3, "length": 22},
        {"type": "bot_command", "offset": 36, "length": 5},
    ]


async def test_opt_in_rate_enforcement_answers_429_beyond_the_limit() -> None:
    """With `sends_per_second`, sends past the limit in one second get Telegram's 429;
    other methods are not counted, and a second later sends go through again."""
    fake = FakeTelegram(sends_per_second=3)
    await fake.start()
    try:
        url = f"{fake.base_url}{fake.token}"
        async with aiohttp.ClientSession() as session:
            statuses = []
            for n in range(5):
                async with session.post(
                    f"{url}/sendMessage", json={"chat_id": GROUP["id"], "text": f"m{n}"}
                ) as response:
                    statuses.append(response.status)
                    body = await response.json()
            assert statuses == [200, 200, 200, 429, 429]
            assert body["parameters"] == {"retry_after": 1}
            async with session.post(f"{url}/getMe") as response:
                assert response.status == 200
            await asyncio.sleep(1.05)
            async with session.post(
                f"{url}/sendMessage", json={"chat_id": GROUP["id"], "text": "later"}
            ) as response:
                assert response.status == 200
        assert fake.rate_limited == 2
        assert len(fake.sent_messages(GROUP["id"])) == 4
    finally:
        await fake.close()

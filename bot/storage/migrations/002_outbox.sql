-- Scheduled delivery: one row per message a chat is due (a daily post or a reveal).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    kind TEXT NOT NULL,             -- 'daily' | 'reveal'
    local_date TEXT NOT NULL,       -- the chat's local date the message belongs to
    post_id INTEGER,                -- the daily post (reveals: from the start; daily: once sent)
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | skipped | failed | broken
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    message_id TEXT,
    sent_at INTEGER,
    error TEXT,
    created_at INTEGER NOT NULL,
    -- At most one daily post and one reveal per chat and local day, whatever the schedule does.
    UNIQUE (platform, chat_id, local_date, kind)
);
-- The senders' query: a platform's pending rows in due order.
CREATE INDEX outbox_pending ON outbox (platform, next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_post ON outbox (post_id) WHERE post_id IS NOT NULL;

-- A chat where the bot lost access is not posted to until an admin resumes it.
ALTER TABLE chats ADD COLUMN broken_at INTEGER;
ALTER TABLE chats ADD COLUMN broken_reason TEXT;

-- The platform message of a daily post, so a reply to it answers that post.
ALTER TABLE daily_posts ADD COLUMN message_id TEXT;
CREATE INDEX daily_posts_message ON daily_posts (chat_ref, message_id) WHERE message_id IS NOT NULL;

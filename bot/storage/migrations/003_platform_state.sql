-- State the chat adapters need across restarts.

-- A native quiz poll (Telegram) whose votes arrive without a chat or message: which daily
-- post it showed. Goes with the post (a chat migration keeps post ids, so polls follow).
CREATE TABLE platform_polls (
    platform TEXT NOT NULL,
    poll_id TEXT NOT NULL,
    post_ref INTEGER NOT NULL REFERENCES daily_posts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (platform, poll_id)
) WITHOUT ROWID;
CREATE INDEX platform_polls_post ON platform_polls (post_ref);

-- 1 = the user opened a private chat with the bot (Telegram /start), so personal feedback
-- from a group can go there. Deleted with the user.
ALTER TABLE users ADD COLUMN private_ok INTEGER NOT NULL DEFAULT 0;

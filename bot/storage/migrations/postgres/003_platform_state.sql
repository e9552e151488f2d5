-- State the chat adapters need across restarts (PostgreSQL: BIGINT times, plain tables).
CREATE TABLE platform_polls (
    platform TEXT NOT NULL,
    poll_id TEXT NOT NULL,
    post_ref INTEGER NOT NULL REFERENCES daily_posts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (platform, poll_id)
);
CREATE INDEX platform_polls_post ON platform_polls (post_ref);

ALTER TABLE users ADD COLUMN private_ok INTEGER NOT NULL DEFAULT 0;

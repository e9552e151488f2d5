-- Named leases: one holder at a time across the processes sharing the database (e.g. the
-- one Telegram long-poller per bot). Written once for both dialects.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

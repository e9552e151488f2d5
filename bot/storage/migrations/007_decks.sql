-- Decks uploaded in a chat or server: the validated deck as JSON, owned by one scope (a
-- Telegram group, a Discord server, the console). Written once for both dialects.
CREATE TABLE decks (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    created BIGINT NOT NULL,
    item_count INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX decks_scope ON decks (scope, created);

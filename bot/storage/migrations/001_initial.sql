-- prepbot schema, version 1. Times are epoch seconds (UTC); dates are ISO 'YYYY-MM-DD'.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    user_id TEXT NOT NULL,
    display_name TEXT NOT NULL,
    timezone TEXT,
    leaderboard_opt_out INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (platform, user_id)
);

CREATE TABLE chats (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    seed TEXT NOT NULL,             -- question-order seed, kept when the chat id changes
    created_at INTEGER NOT NULL,
    UNIQUE (platform, chat_id)
);
CREATE INDEX chats_group ON chats (platform, group_id);

CREATE TABLE schedules (
    chat_ref INTEGER PRIMARY KEY REFERENCES chats (id) ON DELETE CASCADE,
    local_time TEXT NOT NULL,       -- HH:MM
    timezone TEXT NOT NULL,         -- IANA name
    weekdays INTEGER NOT NULL,      -- bit mask, Monday = 1
    topics TEXT NOT NULL,           -- JSON list of tags and deck ids
    reveal_delay_hours INTEGER NOT NULL,
    thread INTEGER NOT NULL,
    paused INTEGER NOT NULL,
    next_post_utc INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- The scheduler's tick selects due channels by this index.
CREATE INDEX schedules_due ON schedules (next_post_utc) WHERE paused = 0;

CREATE TABLE daily_posts (
    id INTEGER PRIMARY KEY,
    chat_ref INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    local_date TEXT NOT NULL,
    item_id TEXT NOT NULL,
    cycle INTEGER NOT NULL,
    posted_at INTEGER NOT NULL,
    reveal_at INTEGER,
    revealed_at INTEGER,
    UNIQUE (chat_ref, local_date)
);
CREATE INDEX daily_posts_cycle ON daily_posts (chat_ref, cycle);
CREATE INDEX daily_posts_reveal ON daily_posts (reveal_at) WHERE revealed_at IS NULL;

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    user_ref INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_ref INTEGER REFERENCES chats (id) ON DELETE SET NULL,
    group_key TEXT,                 -- 'platform:group_id' of the chat at answer time
    kind TEXT NOT NULL,             -- daily | quiz | review
    target TEXT NOT NULL,           -- what was answered: daily:<post>, quiz:<id>:<n>, ...
    post_id INTEGER REFERENCES daily_posts (id) ON DELETE SET NULL,
    item_id TEXT NOT NULL,
    verdict TEXT NOT NULL,
    score REAL NOT NULL,
    points INTEGER NOT NULL,
    forfeited INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    UNIQUE (user_ref, target)       -- only the first answer to a target is stored
);
-- Covers the leaderboard query: no table lookups for a group's window.
CREATE INDEX answers_leaderboard ON answers (group_key, answered_at, user_ref, points, verdict);
CREATE INDEX answers_user_time ON answers (user_ref, answered_at, kind, points);
CREATE INDEX answers_post ON answers (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX answers_chat ON answers (chat_ref);

CREATE TABLE reveals (
    user_ref INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target TEXT NOT NULL,
    item_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_at INTEGER NOT NULL,
    PRIMARY KEY (user_ref, target)
) WITHOUT ROWID;

CREATE TABLE quiz_sessions (
    id INTEGER PRIMARY KEY,
    user_ref INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_ref INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    topic TEXT,
    difficulty TEXT,
    item_ids TEXT NOT NULL,         -- JSON list
    outcomes TEXT NOT NULL,         -- JSON list: verdict, 'skipped' or null
    position INTEGER NOT NULL,
    points INTEGER NOT NULL,
    status TEXT NOT NULL,           -- active | finished | stopped
    started_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE UNIQUE INDEX quiz_one_active ON quiz_sessions (user_ref, chat_ref) WHERE status = 'active';
CREATE INDEX quiz_chat ON quiz_sessions (chat_ref);

CREATE TABLE review_cards (
    user_ref INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    card TEXT NOT NULL,             -- fsrs Card.to_json()
    prev_card TEXT,                 -- before a derived rating, so an explicit one can replace it
    due INTEGER NOT NULL,
    last_review INTEGER,
    PRIMARY KEY (user_ref, item_id)
) WITHOUT ROWID;
CREATE INDEX review_cards_due ON review_cards (user_ref, due);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    user_ref INTEGER REFERENCES users (id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reports_user ON reports (user_ref);

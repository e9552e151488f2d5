-- Mock interview rounds (at most one active per user) and their questions, answered or not.
CREATE TABLE interviews (
    id INTEGER PRIMARY KEY,
    user_ref INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    chat_ref INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    topic TEXT,
    minutes INTEGER NOT NULL,       -- allowed per question
    position INTEGER NOT NULL,      -- the current question
    status TEXT NOT NULL,           -- active | finished | stopped | expired
    started_at INTEGER NOT NULL,
    last_activity INTEGER NOT NULL,
    ended_at INTEGER,
    reminded INTEGER NOT NULL,      -- the current question's one-minute reminder went out
    score INTEGER                   -- overall, out of 100, once ended
);
CREATE UNIQUE INDEX interviews_one_active ON interviews (user_ref) WHERE status = 'active';
CREATE INDEX interviews_user ON interviews (user_ref, ended_at);
CREATE INDEX interviews_chat ON interviews (chat_ref);

CREATE TABLE interview_questions (
    interview_ref INTEGER NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    asked_at INTEGER,
    answered_at INTEGER,
    seconds INTEGER,
    late INTEGER NOT NULL,
    verdict TEXT,
    score REAL NOT NULL,
    covered TEXT NOT NULL,          -- JSON lists of key point texts
    missed TEXT NOT NULL,
    contradicted TEXT NOT NULL,
    follow_up_point TEXT,
    follow_up_text TEXT,
    follow_up_asked_at INTEGER,
    follow_up_answered_at INTEGER,
    follow_up_covered INTEGER,
    PRIMARY KEY (interview_ref, position)
);

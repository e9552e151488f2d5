-- Each user's streak as of their last answered local day, in the zone it was counted in.
-- Advanced in the answer's own transaction, so reading a streak never scans the history;
-- a missing row or another zone falls back to counting from the answers.
CREATE TABLE streaks (
    user_ref INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    zone TEXT NOT NULL,
    last_day TEXT NOT NULL,         -- ISO date
    current INTEGER NOT NULL,
    best INTEGER NOT NULL,
    freezes INTEGER NOT NULL
);

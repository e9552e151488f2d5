-- Marks of things shown once (a broken chat's note to an admin, the start-me hint, a daily
-- post's rolling answer count), kept in the database so a restart or a second process does
-- not show them again. `value` is what a mark keeps with it (the count's message); a mark
-- about one user (a hint) goes with the user; rows older than a kind's retention are pruned
-- daily. Written once for both dialects.
CREATE TABLE marks (
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    user_ref INTEGER REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX marks_age ON marks (kind, created_at);
CREATE INDEX marks_user ON marks (user_ref) WHERE user_ref IS NOT NULL;

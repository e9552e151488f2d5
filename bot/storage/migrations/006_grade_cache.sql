-- Grades an LLM grading stage returned, so the same answer to the same item is sent to the
-- model once. `answer_hash` is a digest of the normalised answer and the item's rubric; no
-- user is named. Written once for both dialects.
CREATE TABLE grade_cache (
    item_id TEXT NOT NULL,
    answer_hash TEXT NOT NULL,
    model TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (item_id, answer_hash, model)
);

-- Issue 15: what the last summary or agenda showed (one row per cause, so the next one marks
-- a flag "open since" its first day and names the resolved ones), and a team's own festivals.
CREATE TABLE shown_flags (
    chat_id    BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    cause      TEXT   NOT NULL,                -- domain::judgement::repeats::Cause::code
    subject    TEXT   NOT NULL,                -- domain::judgement::repeats::subject_key
    severity   BIGINT NOT NULL,                -- 0 low, 1 medium, 2 high
    first_seen TEXT   NOT NULL,                -- YYYY-MM-DD, team-local
    PRIMARY KEY (chat_id, cause, subject)
);
CREATE TABLE team_festivals (
    chat_id    BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    day        TEXT   NOT NULL,                -- YYYY-MM-DD, team-local
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (chat_id, day)
);

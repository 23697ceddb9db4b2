-- Daily numbers: one row per team × channel × local day × creative ('' when none). A second
-- check-in for the same key replaces the row (upsert), so sums over days never double count.
CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL,              -- local date 'YYYY-MM-DD' in the team's zone
    creative      TEXT    NOT NULL DEFAULT '',
    spend         INTEGER NOT NULL,              -- minor units
    impressions   INTEGER NOT NULL,
    clicks        INTEGER NOT NULL,
    orders        INTEGER NOT NULL,
    gmv           INTEGER NOT NULL,              -- minor units
    new_customers INTEGER,                        -- NULL = not reported
    interactions  INTEGER,                        -- NULL = not reported
    author_id     INTEGER,                        -- NULL for an anonymous admin
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (chat_id, channel, day, creative)
);
-- Per-team date ranges (metrics, export, nudges); the unique key serves per-channel ranges.
CREATE INDEX checkins_team_day ON checkins (chat_id, day);

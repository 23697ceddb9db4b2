-- The plan: channels with tier, owner and monthly budget; goals per metric (team-wide or per channel).
CREATE TABLE channels (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        INTEGER NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    name           TEXT    NOT NULL,
    tier           TEXT    NOT NULL,             -- core | test | reserve
    monthly_budget INTEGER NOT NULL DEFAULT 0,   -- minor units
    owner_id       INTEGER,
    owner_username TEXT,
    removed_at     INTEGER,                       -- removed channels keep their history
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE UNIQUE INDEX channels_live_name ON channels (chat_id, name) WHERE removed_at IS NULL;

CREATE TABLE goals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    metric     TEXT    NOT NULL,
    channel    TEXT    NOT NULL DEFAULT '',       -- '' = team-wide
    direction  TEXT    NOT NULL,                  -- volume | at_least | at_most
    period     TEXT    NOT NULL DEFAULT '',       -- week | month | quarter for volume goals
    value      INTEGER NOT NULL,                  -- minor units, counts, or rate micros
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (chat_id, metric, channel)
);

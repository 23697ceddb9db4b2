-- Missing is not zero (issue 14): a check-in may name any subset of its numbers, so every
-- number is nullable (NULL = nobody reported it), and leads (线索/留资/私信进线) join them.
-- SQLite cannot drop NOT NULL in place: the table is rebuilt with the same rows.
CREATE TABLE checkins_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL,              -- local date 'YYYY-MM-DD' in the team's zone
    creative      TEXT    NOT NULL DEFAULT '',
    spend         INTEGER,                       -- minor units; NULL = not reported
    impressions   INTEGER,
    clicks        INTEGER,
    orders        INTEGER,
    gmv           INTEGER,                       -- minor units
    new_customers INTEGER,
    interactions  INTEGER,
    author_id     INTEGER,                       -- NULL for an anonymous admin
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    leads         INTEGER,
    UNIQUE (chat_id, channel, day, creative)
);
INSERT INTO checkins_v2 (id, chat_id, channel, day, creative, spend, impressions, clicks, orders,
                         gmv, new_customers, interactions, author_id, created_at, updated_at)
SELECT id, chat_id, channel, day, creative, spend, impressions, clicks, orders, gmv,
       new_customers, interactions, author_id, created_at, updated_at
FROM checkins;
DROP TABLE checkins;
ALTER TABLE checkins_v2 RENAME TO checkins;
-- Per-team date ranges (metrics, export, nudges); the unique key serves per-channel ranges.
CREATE INDEX checkins_team_day ON checkins (chat_id, day);

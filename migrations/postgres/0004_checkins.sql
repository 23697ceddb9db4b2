-- Daily numbers: one row per team × channel × local day × creative ('' when none). A second
-- check-in for the same key replaces the row (upsert), so sums over days never double count.
CREATE TABLE checkins (
    id            BIGSERIAL PRIMARY KEY,
    chat_id       BIGINT  NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    channel       TEXT    NOT NULL,
    day           TEXT    NOT NULL,              -- local date 'YYYY-MM-DD' in the team's zone
    creative      TEXT    NOT NULL DEFAULT '',
    spend         BIGINT  NOT NULL,              -- minor units
    impressions   BIGINT  NOT NULL,
    clicks        BIGINT  NOT NULL,
    orders        BIGINT  NOT NULL,
    gmv           BIGINT  NOT NULL,              -- minor units
    new_customers BIGINT,                         -- NULL = not reported
    interactions  BIGINT,                         -- NULL = not reported
    author_id     BIGINT,                         -- NULL for an anonymous admin
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    UNIQUE (chat_id, channel, day, creative)
);
-- Per-team date ranges (metrics, export, nudges); the unique key serves per-channel ranges.
CREATE INDEX checkins_team_day ON checkins (chat_id, day);

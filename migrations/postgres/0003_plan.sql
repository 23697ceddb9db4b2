-- The plan: channels with tier, owner and monthly budget; goals per metric (team-wide or per channel).
CREATE TABLE channels (
    id             BIGSERIAL PRIMARY KEY,
    chat_id        BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    name           TEXT    NOT NULL,
    tier           TEXT    NOT NULL,             -- core | test | reserve
    monthly_budget BIGINT NOT NULL DEFAULT 0,   -- minor units
    owner_id       BIGINT,
    owner_username TEXT,
    removed_at     BIGINT,                       -- removed channels keep their history
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE UNIQUE INDEX channels_live_name ON channels (chat_id, name) WHERE removed_at IS NULL;

CREATE TABLE goals (
    id         BIGSERIAL PRIMARY KEY,
    chat_id    BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    metric     TEXT    NOT NULL,
    channel    TEXT    NOT NULL DEFAULT '',       -- '' = team-wide
    direction  TEXT    NOT NULL,                  -- volume | at_least | at_most
    period     TEXT    NOT NULL DEFAULT '',       -- week | month | quarter for volume goals
    value      BIGINT NOT NULL,                  -- minor units, counts, or rate micros
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (chat_id, metric, channel)
);

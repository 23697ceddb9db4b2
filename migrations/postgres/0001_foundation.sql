-- Teams are Telegram groups; everything else hangs off chat_id.
CREATE TABLE teams (
    chat_id        BIGINT PRIMARY KEY,
    title          TEXT    NOT NULL,
    lang           TEXT,             -- set by an admin's /lang; NULL = not chosen
    detected_lang  TEXT,             -- from the first member's language_code
    tz             TEXT    NOT NULL,
    currency       TEXT    NOT NULL DEFAULT '¥',
    active         BIGINT  NOT NULL DEFAULT 1,
    -- rhythm settings, minutes after local midnight (weekday 0 = Monday); NULL = not set
    review_weekday BIGINT ,
    review_minute  BIGINT ,
    checkin_minute BIGINT ,
    quiet_start    BIGINT ,
    quiet_end      BIGINT ,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);

CREATE TABLE users (
    user_id        BIGINT PRIMARY KEY,
    username       TEXT,
    username_lower TEXT,
    display_name   TEXT    NOT NULL,
    lang_code      TEXT,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX users_username_lower ON users (username_lower);

CREATE TABLE members (
    chat_id    BIGINT  NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (user_id),
    first_seen BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL,
    PRIMARY KEY (chat_id, user_id)
);

-- One row per Telegram update handled, so a redelivered update has no second effect.
CREATE TABLE processed_updates (
    update_id   BIGINT PRIMARY KEY,
    received_at BIGINT  NOT NULL
);
CREATE INDEX processed_updates_received ON processed_updates (received_at);

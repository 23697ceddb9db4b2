-- The durable inbox: every update is stored before Telegram is told it arrived (the next
-- getUpdates offset, or the webhook's 200), and is marked done when handled. Updates a killed
-- process had not finished are handled again at the next start; a command whose reply was
-- already sent is not. Replaces processed_updates (its job, spotting redeliveries, is kept).
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    body        TEXT    NOT NULL,            -- the update as JSON
    received_at INTEGER NOT NULL,
    claimed_at  INTEGER,                    -- a handler took it (a lease: see storage/inbox.rs)
    attempts    INTEGER NOT NULL DEFAULT 0, -- how often a handler took it; a poison update stops at 3
    replied_at  INTEGER,                    -- the first reply was accepted by Telegram
    done_at     INTEGER
);
CREATE INDEX inbox_undone ON inbox (update_id) WHERE done_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at);
DROP TABLE processed_updates;

-- A command handled again after a crash must not create its task twice: the task remembers
-- the message that created it.
ALTER TABLE tasks ADD COLUMN source_message INTEGER;
CREATE UNIQUE INDEX tasks_source_message ON tasks (chat_id, source_message);

ALTER TABLE teams ADD COLUMN next_task_no INTEGER NOT NULL DEFAULT 1;

CREATE TABLE tasks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        INTEGER NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    number         INTEGER NOT NULL,           -- #n within the team
    title          TEXT    NOT NULL,
    done_when      TEXT,
    owner_id       INTEGER,                     -- NULL while only a not-yet-seen @username is known
    owner_username TEXT,
    creator_id     INTEGER NOT NULL,
    channel        TEXT,
    due_at         INTEGER NOT NULL,
    recur          TEXT,                        -- day | week | month | weekday
    series_id      INTEGER,                     -- first task of a recurring series
    status         TEXT    NOT NULL DEFAULT 'open',  -- open | blocked | done | cancelled
    blocked_reason TEXT,
    blocked_at     INTEGER,
    slips          INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 0,  -- bumped on every schedule change; stale pings compare it
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    done_at        INTEGER,
    UNIQUE (chat_id, number)
);
CREATE INDEX tasks_owner ON tasks (chat_id, owner_id, status);
CREATE INDEX tasks_user_open ON tasks (owner_id, status);
CREATE INDEX tasks_pending_owner ON tasks (lower(owner_username)) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX tasks_series_due ON tasks (series_id, due_at);

CREATE TABLE task_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id  INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    actor_id INTEGER,
    kind     TEXT    NOT NULL,
    detail   TEXT
);
CREATE INDEX task_events_task ON task_events (task_id, id);

-- Durable jobs: one row per occurrence of an automatic message. The unique key makes planning
-- idempotent; the state column makes sending once-only across restarts and instances.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    subject_id INTEGER NOT NULL,
    mark       TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    fire_at    INTEGER NOT NULL,   -- due_at, moved past quiet hours
    version    INTEGER NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL DEFAULT 'pending',  -- pending | claimed | sent | dropped
    claimed_by TEXT,
    claimed_at INTEGER,
    done_at    INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (kind, subject_id, mark, due_at)
);
CREATE INDEX jobs_pending_fire ON jobs (fire_at) WHERE state = 'pending';
CREATE INDEX jobs_claimed ON jobs (claimed_at) WHERE state = 'claimed';
CREATE INDEX jobs_chat ON jobs (chat_id, state);

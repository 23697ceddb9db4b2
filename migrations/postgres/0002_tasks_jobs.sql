ALTER TABLE teams ADD COLUMN next_task_no BIGINT NOT NULL DEFAULT 1;

CREATE TABLE tasks (
    id             BIGSERIAL PRIMARY KEY,
    chat_id        BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    number         BIGINT NOT NULL,           -- #n within the team
    title          TEXT    NOT NULL,
    done_when      TEXT,
    owner_id       BIGINT,                     -- NULL while only a not-yet-seen @username is known
    owner_username TEXT,
    creator_id     BIGINT NOT NULL,
    channel        TEXT,
    due_at         BIGINT NOT NULL,
    recur          TEXT,                        -- day | week | month | weekday
    series_id      BIGINT,                     -- first task of a recurring series
    status         TEXT    NOT NULL DEFAULT 'open',  -- open | blocked | done | cancelled
    blocked_reason TEXT,
    blocked_at     BIGINT,
    slips          BIGINT NOT NULL DEFAULT 0,
    version        BIGINT NOT NULL DEFAULT 0,  -- bumped on every schedule change; stale pings compare it
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    done_at        BIGINT,
    UNIQUE (chat_id, number)
);
CREATE INDEX tasks_owner ON tasks (chat_id, owner_id, status);
CREATE INDEX tasks_user_open ON tasks (owner_id, status);
CREATE INDEX tasks_pending_owner ON tasks (lower(owner_username)) WHERE owner_id IS NULL;
CREATE UNIQUE INDEX tasks_series_due ON tasks (series_id, due_at);

CREATE TABLE task_events (
    id       BIGSERIAL PRIMARY KEY,
    task_id  BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    actor_id BIGINT,
    kind     TEXT    NOT NULL,
    detail   TEXT
);
CREATE INDEX task_events_task ON task_events (task_id, id);

-- Durable jobs: one row per occurrence of an automatic message. The unique key makes planning
-- idempotent; the state column makes sending once-only across restarts and instances.
CREATE TABLE jobs (
    id         BIGSERIAL PRIMARY KEY,
    chat_id    BIGINT NOT NULL,
    kind       TEXT    NOT NULL,
    subject_id BIGINT NOT NULL,
    mark       TEXT    NOT NULL,
    due_at     BIGINT NOT NULL,
    fire_at    BIGINT NOT NULL,   -- due_at, moved past quiet hours
    version    BIGINT NOT NULL DEFAULT 0,
    state      TEXT    NOT NULL DEFAULT 'pending',  -- pending | claimed | sent | dropped
    claimed_by TEXT,
    claimed_at BIGINT,
    done_at    BIGINT,
    attempts   BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (kind, subject_id, mark, due_at)
);
CREATE INDEX jobs_pending_fire ON jobs (fire_at) WHERE state = 'pending';
CREATE INDEX jobs_claimed ON jobs (claimed_at) WHERE state = 'claimed';
CREATE INDEX jobs_chat ON jobs (chat_id, state);

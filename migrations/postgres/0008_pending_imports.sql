-- An imported report waiting for ✅ Import / ✖ Cancel (issue 14 D). Kept in the database so a
-- restart between the preview and the press loses nothing. Numbered 0008: 0007 is left to the
-- nullable check-in fields being built at the same time.
CREATE TABLE pending_imports (
    id           BIGSERIAL PRIMARY KEY,
    chat_id      BIGINT NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    requester_id BIGINT,                        -- NULL for an anonymous admin
    channel      TEXT   NOT NULL,
    file_name    TEXT   NOT NULL,
    report       TEXT   NOT NULL,               -- domain::import::Report as JSON
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX pending_imports_expiry ON pending_imports (expires_at);

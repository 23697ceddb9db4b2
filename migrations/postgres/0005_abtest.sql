-- /abtest looks: how many times a team asked about one creative test (a channel and its set of
-- creative labels), for the "peeking raises false positives" warning. A new set of creatives
-- is a new test and starts counting again.
CREATE TABLE abtest_asks (
    chat_id    BIGINT  NOT NULL REFERENCES teams (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    channel    TEXT    NOT NULL,
    test_key   TEXT    NOT NULL,             -- the creative labels, sorted, joined with ','
    asks       BIGINT  NOT NULL,
    first_at   BIGINT  NOT NULL,
    last_at    BIGINT  NOT NULL,
    PRIMARY KEY (chat_id, channel, test_key)
);

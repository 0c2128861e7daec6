-- Review SLOs that act while a PR waits. `slo_watch`: each open PR whose tier has an SLO and
-- whose ladder has a step ahead, with when it next needs a look (the sweeper queues it then).
-- `slo_steps`: each step of the ladder taken or settled for a reviewer's wait (a wait is keyed by
-- when it began); inserting the row is the claim, so a step is sent at most once across replicas
-- and restarts. `snoozes`: `/flowgate snooze` takes a reviewer out of a PR's turn until then.
-- Logins are lower case. The SQLite twin is migrations/sqlite/0009_slo.sql.
CREATE TABLE slo_watch (
    repo            TEXT    NOT NULL,
    pr              BIGINT NOT NULL,
    installation_id BIGINT,
    next_due_ms     BIGINT NOT NULL,
    PRIMARY KEY (repo, pr)
);
CREATE INDEX slo_watch_due ON slo_watch (next_due_ms);

CREATE TABLE slo_steps (
    repo      TEXT    NOT NULL,
    pr        BIGINT NOT NULL,
    login     TEXT    NOT NULL,
    -- remind, channel, reassign
    step      TEXT    NOT NULL,
    -- When the wait began, in milliseconds.
    period_ms BIGINT NOT NULL,
    -- claimed (taken, not yet sent), sent, skipped: <why>, failed: <why>
    outcome   TEXT    NOT NULL,
    -- slack_dm, comment, channel, reassign; NULL until sent
    via       TEXT,
    at_ms     BIGINT NOT NULL,
    PRIMARY KEY (repo, pr, login, step, period_ms)
);

CREATE TABLE snoozes (
    repo     TEXT    NOT NULL,
    pr       BIGINT NOT NULL,
    login    TEXT    NOT NULL,
    until_ms BIGINT NOT NULL,
    PRIMARY KEY (repo, pr, login)
);

-- Webhook deliveries, stored before GitHub is answered so that none is lost, then worked off a
-- key (one PR) at a time. The SQLite twin is migrations/sqlite/0001_deliveries.sql.

CREATE TABLE deliveries (
    id              TEXT    NOT NULL PRIMARY KEY, -- X-GitHub-Delivery: GitHub redelivers with the same id
    event           TEXT    NOT NULL,
    action          TEXT,
    installation_id BIGINT,
    repo            TEXT,
    pr              BIGINT,
    -- What is leased as one unit: the PR (installation, repo, number), or the delivery alone.
    work_key        TEXT    NOT NULL,
    received_at_ms  BIGINT  NOT NULL,
    body            BYTEA   NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'in_progress', 'parked', 'done')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT  NOT NULL,
    -- The worker that holds it while in_progress, so a worker that lost its lease changes nothing.
    claimed_by      TEXT,
    last_error      TEXT,
    times_completed BIGINT  NOT NULL DEFAULT 0,
    done_at_ms      BIGINT
);

-- claim: the oldest delivery that may be ready. Partial, so done deliveries cost nothing.
CREATE INDEX deliveries_claimable ON deliveries (received_at_ms, id) WHERE state IN ('queued', 'in_progress');
-- claim takes every ready delivery of the chosen key.
CREATE INDEX deliveries_by_key ON deliveries (work_key, state);
-- depth and parked.
CREATE INDEX deliveries_by_state ON deliveries (state);
-- newest_received_at, for finding deliveries missed while the server was down.
CREATE INDEX deliveries_received_at ON deliveries (received_at_ms);

-- One row per key being worked on: who holds it and until when. A row whose until_ms has passed is
-- a lease that a crashed or stuck worker lost; the next claim takes it over. Claims lock this row
-- (FOR UPDATE SKIP LOCKED) before any delivery row, so two claimers never wait on each other.
CREATE TABLE leases (
    work_key TEXT   NOT NULL PRIMARY KEY,
    worker   TEXT   NOT NULL,
    until_ms BIGINT NOT NULL
);

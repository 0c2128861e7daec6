-- Review-flow events (latency::Event as JSON), recorded by the App from its deliveries and imported
-- by `flowgate backfill`; the digest is computed from them. The id is stable for one happening (a
-- delivery id, or a timeline object's id), so recording the same history twice adds nothing.
-- The SQLite twin is migrations/sqlite/0003_review_events.sql.

CREATE TABLE review_events (
    id    TEXT   NOT NULL PRIMARY KEY,
    repo  TEXT   NOT NULL, -- owner/name
    pr    BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    event JSONB  NOT NULL  -- the whole event, `event` naming its kind
);

-- The digest reads each PR's whole history in time order, and a closed PR's latest context.
CREATE INDEX review_events_by_pr ON review_events (repo, pr, at_ms);
-- The digest first finds the PRs with an event in its span.
CREATE INDEX review_events_at ON review_events (at_ms);

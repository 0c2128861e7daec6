-- The weekly digest issue the App posts, one row per repository and ISO week. The row is claimed
-- (inserted) before the issue is created, so of several replicas only the one whose insert won
-- creates it; the others, and later runs, update the issue the row names.
-- The PostgreSQL twin is migrations/postgres/0006_digest_issues.sql.
CREATE TABLE digest_issues (
    repo          TEXT    NOT NULL COLLATE NOCASE, -- owner/name
    week          TEXT    NOT NULL,                -- ISO week, e.g. 2026-W47
    -- NULL while the claimant is creating the issue.
    issue_number  INTEGER,
    claimed_by    TEXT    NOT NULL,
    claimed_at_ms INTEGER NOT NULL,
    PRIMARY KEY (repo, week)
) STRICT;

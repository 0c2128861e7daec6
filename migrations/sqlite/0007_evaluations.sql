-- Each evaluation of a PR by the App: the verdict's state, why it fails, and whether the policy
-- enforced it or only showed it (shadow mode, `enforcement: evaluate`), so that the digest can
-- count the PRs that would have failed in shadow mode. The PostgreSQL twin is
-- migrations/postgres/0007_evaluations.sql.

CREATE TABLE evaluations (
    repo        TEXT    NOT NULL, -- owner/name, lower case
    pr          INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    enforcement TEXT    NOT NULL, -- enforce | evaluate
    state       TEXT    NOT NULL, -- pass | pending | fail, after any override
    -- Why it fails, comma-separated kinds (no_story, ai_undeclared, ...); empty unless it fails.
    reasons     TEXT    NOT NULL,
    PRIMARY KEY (repo, pr, at_ms)
) STRICT;

-- The digest reads the evaluations of its span; the App, a repository's latest one.
CREATE INDEX evaluations_at ON evaluations (at_ms);
CREATE INDEX evaluations_by_repo ON evaluations (repo, at_ms);

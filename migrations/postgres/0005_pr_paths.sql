-- The changed paths of each PR the App evaluated, written at every evaluation, so that reviewer
-- assignment can find people who recently authored or reviewed PRs touching the same paths (the
-- review events carry no paths). The SQLite twin is migrations/sqlite/0005_pr_paths.sql.

CREATE TABLE pr_paths (
    repo  TEXT   NOT NULL, -- owner/name, lower case
    pr    BIGINT NOT NULL,
    path  TEXT   NOT NULL,
    -- When the evaluation that saw this path ran.
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (repo, pr, path)
);

-- Assignment asks which PRs of a repository touched any of a PR's paths.
CREATE INDEX pr_paths_by_path ON pr_paths (repo, path);
-- Assignment reads a repository's review events of the last weeks; repository names compare
-- without case, as on GitHub.
CREATE INDEX review_events_by_repo ON review_events (lower(repo), at_ms);

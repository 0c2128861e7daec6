-- Review SLOs that act: a reviewer who said `/flowgate snooze 1d` on a PR steps out of its turn
-- until `until_ms` (no reminder; their wait starts again then). One row per reviewer and PR; logins
-- in lower case. The SQLite twin is migrations/sqlite/0009_slo.sql.
CREATE TABLE snoozes (
    repo     TEXT   NOT NULL,
    pr       BIGINT NOT NULL,
    login    TEXT   NOT NULL,
    -- Exclusive end.
    until_ms BIGINT NOT NULL,
    PRIMARY KEY (repo, pr, login)
);

-- Reviewers who said they are away (`/flowgate unavailable [until DATE]`), so reviewer assignment
-- passes them over on every PR until then. The SQLite twin is migrations/sqlite/0004_away.sql.
CREATE TABLE away (
    -- Lower case: GitHub logins compare without case.
    login    TEXT   NOT NULL PRIMARY KEY,
    -- Exclusive end; NULL: until they say `/flowgate available`.
    until_ms BIGINT
);

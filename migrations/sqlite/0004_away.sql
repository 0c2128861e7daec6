-- Reviewers who said they are away (`/flowgate unavailable [until DATE]`), so reviewer assignment
-- passes them over on every PR until then. The PostgreSQL twin is migrations/postgres/0004_away.sql.
CREATE TABLE away (
    login    TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
    -- Exclusive end; NULL: until they say `/flowgate available`.
    until_ms INTEGER
) STRICT;

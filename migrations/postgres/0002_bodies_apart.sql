-- Keeps each delivery's body out of its queue row. The queue's columns are read and rewritten on
-- every claim and state change, and an UPDATE of a row rewrites the whole row version; workers read
-- bodies after their claim commits. The SQLite twin is migrations/sqlite/0002_bodies_apart.sql.

CREATE TABLE delivery_bodies (
    id   TEXT  NOT NULL PRIMARY KEY, -- deliveries.id; pruned with it
    body BYTEA NOT NULL
);

INSERT INTO delivery_bodies (id, body) SELECT id, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN body;

-- Every index is written on every insert. These two served only the queue's counts and the newest
-- delivery's time, which are read every few minutes and now scan the (pruned) table instead.
DROP INDEX deliveries_by_state;
DROP INDEX deliveries_received_at;

-- lz4 where the server has it (PostgreSQL 14 and later, built with lz4): compressing a 28 KB body
-- with the default pglz took most of the database's CPU per delivery. Elsewhere pglz stays.
DO $$
BEGIN
    ALTER TABLE delivery_bodies ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    NULL;
END $$;

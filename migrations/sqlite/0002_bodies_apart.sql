-- Keeps each delivery's body out of its queue row. The queue's columns are read and rewritten on
-- every claim and state change; with a 28 KB body in the row, each of those walked or copied the
-- body's overflow pages under the one writer lock. Workers read bodies after their claim commits.
-- The PostgreSQL twin is migrations/postgres/0002_bodies_apart.sql.

CREATE TABLE delivery_bodies (
    id   TEXT NOT NULL PRIMARY KEY, -- deliveries.id; pruned with it
    body BLOB NOT NULL
) STRICT;

INSERT INTO delivery_bodies (id, body) SELECT id, body FROM deliveries;
ALTER TABLE deliveries DROP COLUMN body;

-- Every index is written on every insert. These two served only the queue's counts and the newest
-- delivery's time, which are read every few minutes and now scan the (pruned) table instead.
DROP INDEX deliveries_by_state;
DROP INDEX deliveries_received_at;

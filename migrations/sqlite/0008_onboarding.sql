-- Onboarding: when the App is installed, given repositories, or a repository's policy changes on a
-- branch, it queues one evaluation for each open PR. Those wait behind live deliveries: a claim
-- takes the lowest priority first (0 for a webhook delivery, 1 for onboarding work), then the
-- oldest. The postgres twin is migrations/postgres/0008_onboarding.sql.

ALTER TABLE deliveries ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;

DROP INDEX deliveries_claimable;
CREATE INDEX deliveries_claimable ON deliveries (priority, received_at_ms, id) WHERE state IN ('queued', 'in_progress');

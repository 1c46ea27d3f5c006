-- Where an order came from. Additive, with a default: the release before this one never names the
-- column, so it still runs on this schema and a rollback needs no data restore.
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT 'web';

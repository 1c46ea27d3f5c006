-- Order notes move to the support tool; the column goes. The release that ships this no longer
-- reads it, but the release before it does: a rollback would put that release back on this schema.
ALTER TABLE orders DROP COLUMN note;

-- Log-in should be case-insensitive, so e-mail addresses must be unique regardless of case.
-- Production already holds customers whose addresses differ only in case, so first merge each
-- such group into its oldest customer (lowest id): move the orders over, then drop the duplicates.
CREATE TEMPORARY TABLE customer_merge ON COMMIT DROP AS
SELECT id AS duplicate_id, keep_id
  FROM (SELECT id, min(id) OVER (PARTITION BY lower(email)) AS keep_id FROM customers) grouped
 WHERE id <> keep_id;

UPDATE orders o
   SET customer_id = m.keep_id
  FROM customer_merge m
 WHERE o.customer_id = m.duplicate_id;

DELETE FROM customers c
 USING customer_merge m
 WHERE c.id = m.duplicate_id;

CREATE UNIQUE INDEX customers_email_lower_key ON customers (lower(email));

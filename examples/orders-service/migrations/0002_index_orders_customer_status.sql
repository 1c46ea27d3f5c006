-- The order history page lists a customer's orders, newest first; the ops board filters by status.
CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at DESC);
CREATE INDEX orders_status_idx ON orders (status);

-- GET /orders/recent: the newest orders with their notes.
SELECT id, customer_id, total_cents, status, note FROM orders ORDER BY id DESC LIMIT 5

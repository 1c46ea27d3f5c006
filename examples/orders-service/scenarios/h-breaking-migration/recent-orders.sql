-- GET /orders/recent: the newest orders (notes live in the support tool now).
SELECT id, customer_id, total_cents, status FROM orders ORDER BY id DESC LIMIT 5

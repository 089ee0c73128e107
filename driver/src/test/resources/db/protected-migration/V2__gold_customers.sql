-- A data migration on the new column, filtering on a protected one: Warden encrypts the literal.
INSERT INTO customers (name, email, tier) VALUES ('Gold Customer', 'gold@example.com', 'gold');
UPDATE customers SET tier = 'silver' WHERE email = 'gold@example.com';

-- A data migration writing a protected column with an inline literal: Warden encrypts it.
INSERT INTO customers (name, email) VALUES ('Seed Customer', 'seed@example.com');

-- A routine migration of the protected customers table, through Warden: a new plain column and indexes.
-- Warden lets it through because none of it can write, compare or rename a protected column.
ALTER TABLE customers ADD COLUMN tier text NOT NULL DEFAULT 'bronze';
CREATE INDEX customers_tier ON customers (tier);
CREATE INDEX customers_email ON customers (email);
COMMENT ON COLUMN customers.tier IS 'Loyalty tier';

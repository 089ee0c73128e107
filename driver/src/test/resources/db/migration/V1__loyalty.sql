-- A migration on tables Warden does not protect: passes through unchanged.
CREATE TABLE loyalty_points (
    customer_id integer NOT NULL REFERENCES customers (id),
    points      integer NOT NULL DEFAULT 0
);
CREATE INDEX loyalty_points_customer ON loyalty_points (customer_id);

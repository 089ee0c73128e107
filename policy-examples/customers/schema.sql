-- Example schema for the Warden customers policy. Protected columns hold ciphertext: bytea for raw bytes,
-- or text (base64). Their logical types (date, numeric...) live in policy.yaml, not here.
CREATE TABLE customers (
    id           serial PRIMARY KEY,
    name         text NOT NULL,
    email        bytea UNIQUE,      -- deterministic: equality search and ON CONFLICT (email) work
    phone        bytea,             -- deterministic
    card_number  text,              -- randomized, stored as base64 text
    birth_date   bytea,             -- randomized, logical type date
    credit_limit bytea,             -- randomized, logical type numeric
    country      text               -- not protected
);

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    total       numeric(12, 2) NOT NULL,
    created_at  timestamp NOT NULL DEFAULT now()
);

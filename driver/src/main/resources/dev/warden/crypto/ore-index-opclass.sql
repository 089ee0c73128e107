-- The btree operator class of order indexes (docs/order-index.md, option C): with it, CREATE INDEX ... (col) on a
-- warden.ore_block column builds a btree ordered by the plaintext order, and range predicates, ORDER BY col
-- [DESC] LIMIT n and warden.ore_min/ore_max use it. Needs ore-index.sql first, and a SUPERUSER ("the creating user
-- must be a superuser", CREATE OPERATOR CLASS): not available on managed services (RDS, Cloud SQL, Azure).
-- DEFAULT: without it PostgreSQL would sort the composite by its bytes (record order), which is not the order of
-- the values. Idempotent.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_opclass c JOIN pg_am m ON m.oid = c.opcmethod
      WHERE c.opcname = 'ore_block_ops' AND c.opcnamespace = 'warden'::regnamespace AND m.amname = 'btree') THEN
    CREATE OPERATOR CLASS warden.ore_block_ops DEFAULT FOR TYPE warden.ore_block USING btree AS
      OPERATOR 1 warden.<, OPERATOR 2 warden.<=, OPERATOR 3 warden.=, OPERATOR 4 warden.>=, OPERATOR 5 warden.>,
      FUNCTION 1 warden.ore_block_cmp(warden.ore_block, warden.ore_block);
  END IF;
END $$;

-- Order indexes that the database can sort and index (docs/order-index.md, options B and C): a stored value of an
-- order-indexed column holds both halves of its Lewi–Wu ciphertext (dev.warden.crypto.LewiWuBlockOre), so stored
-- values compare with each other, not only with a query's bound (ore-compare.sql, option A).
--
-- Everything here needs only CREATE on the database (or on an existing schema "warden") and pgcrypto (a trusted
-- extension since PostgreSQL 13); the btree operator class that lets an index, ORDER BY and MIN/MAX use it needs a
-- superuser and is in ore-index-opclass.sql. Idempotent: running it again changes nothing.
--
-- Leakage: a stored left ciphertext is deterministic, so the database learns equality of stored values and, by
-- running warden.ore_block_cmp, the order of all of them and the first differing byte of any two encodings.
-- Only for columns whose policy opts in to that (docs/order-index.md, docs/security-model.md).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS warden;

-- A stored value: l the left ciphertext (1 + 17n bytes), r the right ciphertext (17 + 64n bytes).
-- A query's bound: warden.ore_bound(left), the left ciphertext alone (r NULL).
DO $$ BEGIN
  CREATE TYPE warden.ore_block AS (l bytea, r bytea);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE OR REPLACE FUNCTION warden.ore_invalid(v bytea) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RAISE EXCEPTION 'not order index values of one column (malformed, of different lengths or of different keys)'
    USING ERRCODE = '22023';
END $$;

-- The 1-based block at which two different, well-formed left ciphertexts of one length first differ: their block
-- values h_i are equal exactly as long as the plaintexts' prefixes are (the permutation of block i depends on the
-- prefix), so this is the first differing byte of the encodings. One expression, inlined into the caller.
CREATE OR REPLACE FUNCTION warden.ore_first_difference(a bytea, b bytea) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
      WHEN get_byte(a, 1) <> get_byte(b, 1) THEN 1
      WHEN get_byte(a, 2) <> get_byte(b, 2) THEN 2
      WHEN get_byte(a, 3) <> get_byte(b, 3) THEN 3
      WHEN get_byte(a, 4) <> get_byte(b, 4) THEN 4
      WHEN get_byte(a, 5) <> get_byte(b, 5) THEN 5
      WHEN get_byte(a, 6) <> get_byte(b, 6) THEN 6
      WHEN get_byte(a, 7) <> get_byte(b, 7) THEN 7
      WHEN get_byte(a, 8) <> get_byte(b, 8) THEN 8
      WHEN get_byte(a, 9) <> get_byte(b, 9) THEN 9
      WHEN get_byte(a, 10) <> get_byte(b, 10) THEN 10
      WHEN get_byte(a, 11) <> get_byte(b, 11) THEN 11
      WHEN get_byte(a, 12) <> get_byte(b, 12) THEN 12
      WHEN get_byte(a, 13) <> get_byte(b, 13) THEN 13
      WHEN get_byte(a, 14) <> get_byte(b, 14) THEN 14
      WHEN get_byte(a, 15) <> get_byte(b, 15) THEN 15
      ELSE warden.ore_invalid(a) END
$$;

-- The order (-1 or 1) of the value of left ciphertext l against the value of right ciphertext r, decided at block i
-- where their prefixes first differ: the indicator of r's block i at position h_i, unmasked by H(k_i, nonce) =
-- AES-128(key nonce, k_i) on k_i alone (one AES block; LewiWuBlockOre.compare unmasks all blocks). Inlined.
-- pgcrypto's encrypt is named with its schema: PostgreSQL 17 runs CREATE INDEX, ANALYZE and VACUUM with the search
-- path pg_catalog, pg_temp, and an unqualified encrypt then fails inside the index's comparison.
DO $do$
BEGIN
  EXECUTE format($def$
CREATE OR REPLACE FUNCTION warden.ore_order_at(l bytea, r bytea, i integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $f$
  SELECT CASE ((get_byte(r, 64 * i - 47 + (get_byte(l, i) >> 2)) >> ((get_byte(l, i) & 3) * 2))
      # get_byte(%I.encrypt(substring(l from 2 + get_byte(l, 0) + 16 * (i - 1) for 16), substring(r from 2 for 16),
                         'aes-ecb/pad:none'), 0)) & 3
    WHEN 1 THEN -1 WHEN 2 THEN 1 ELSE warden.ore_invalid(l) END
$f$;
$def$, (SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto'));
END $do$;

-- The btree support function warden.ore_block_cmp (negative, zero or positive as a's value is less than, equal to
-- or greater than b's) and the operators' functions warden.ore_block_lt/le/ge/gt, from one body. Both arguments
-- stored, or one stored and one bound (a bound has no right ciphertext; two bounds do not compare). Written for speed
-- (docs/order-index.md, "Cost in the database"): plpgsql with few statements, the helpers above inlined into them,
-- equal left ciphertexts (equal values) answered without AES; each operator has the whole body rather than calling
-- warden.ore_block_cmp, because an index scan checks every tuple it returns with the operators' functions (one
-- plpgsql call each, not two). plpgsql also keeps the planner from inlining an operator (an inlined operator is no
-- longer an operator, and no index would be used for it).
DO $do$
DECLARE
  body CONSTANT text := $body$
DECLARE
  al bytea := a.l;
  bl bytea := b.l;
  r bytea := coalesce(b.r, a.r);
  n integer := get_byte(al, 0);
  i integer;
  c integer := 0;
BEGIN
  IF (al = bl) IS NOT TRUE THEN  -- NULL halves go on to fail
    IF r IS NULL OR n < 1 OR n > 15 OR length(al) <> 1 + 17 * n OR length(bl) <> 1 + 17 * n
        OR length(r) <> 17 + 64 * n OR get_byte(r, 0) <> n THEN  -- r NULL: two bounds
      RETURN warden.ore_invalid(al) %1$s;
    END IF;
    i := warden.ore_first_difference(al, bl);
    IF b.r IS NOT NULL THEN c := warden.ore_order_at(al, r, i); ELSE c := -warden.ore_order_at(bl, r, i); END IF;
  END IF;
  RETURN c %1$s;
END $body$;
  f text[];
BEGIN
  FOREACH f SLICE 1 IN ARRAY ARRAY[['cmp', 'integer', ''], ['lt', 'boolean', '< 0'], ['le', 'boolean', '<= 0'],
                                   ['ge', 'boolean', '>= 0'], ['gt', 'boolean', '> 0']] LOOP
    EXECUTE format('CREATE OR REPLACE FUNCTION warden.ore_block_%s(a warden.ore_block, b warden.ore_block)'
        ' RETURNS %s LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS %L', f[1], f[2], format(body, f[3]));
  END LOOP;
END $do$;

-- Equality needs no AES: left ciphertexts are deterministic.
CREATE OR REPLACE FUNCTION warden.ore_block_eq(a warden.ore_block, b warden.ore_block) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN RETURN a.l = b.l; END $$;

CREATE OR REPLACE FUNCTION warden.ore_block_smaller(a warden.ore_block, b warden.ore_block) RETURNS warden.ore_block
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN IF warden.ore_block_cmp(a, b) <= 0 THEN RETURN a; END IF; RETURN b; END $$;
CREATE OR REPLACE FUNCTION warden.ore_block_larger(a warden.ore_block, b warden.ore_block) RETURNS warden.ore_block
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$ BEGIN IF warden.ore_block_cmp(a, b) >= 0 THEN RETURN a; END IF; RETURN b; END $$;

-- A stored value from its two halves, checked (a malformed value would make every later comparison with it fail).
CREATE OR REPLACE FUNCTION warden.ore_block(l bytea, r bytea) RETURNS warden.ore_block
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE n integer := CASE WHEN length(l) > 0 THEN get_byte(l, 0) ELSE 0 END;
BEGIN
  IF n < 1 OR n > 15 OR length(l) <> 1 + 17 * n OR length(r) <> 17 + 64 * n OR get_byte(r, 0) <> n THEN
    PERFORM warden.ore_invalid(l);
  END IF;
  RETURN ROW(l, r)::warden.ore_block;
END $$;

-- A query's bound from its left ciphertext, checked; compares with stored values only.
CREATE OR REPLACE FUNCTION warden.ore_bound(l bytea) RETURNS warden.ore_block
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE n integer := CASE WHEN length(l) > 0 THEN get_byte(l, 0) ELSE 0 END;
BEGIN
  IF n < 1 OR n > 15 OR length(l) <> 1 + 17 * n THEN PERFORM warden.ore_invalid(l); END IF;
  RETURN ROW(l, NULL)::warden.ore_block;
END $$;

-- The operators (CREATE OPERATOR has no OR REPLACE). Selectivity as for scalars: ANALYZE's histogram of the column
-- is ordered by the operator class when it exists.
DO $$
DECLARE
  spec text[];
BEGIN
  FOREACH spec SLICE 1 IN ARRAY ARRAY[
      ['<', 'ore_block_lt', '>', '>=', 'scalarltsel', 'scalarltjoinsel'],
      ['<=', 'ore_block_le', '>=', '>', 'scalarlesel', 'scalarlejoinsel'],
      ['=', 'ore_block_eq', '=', '<>', 'eqsel', 'eqjoinsel'],
      ['>=', 'ore_block_ge', '<=', '<', 'scalargesel', 'scalargejoinsel'],
      ['>', 'ore_block_gt', '<', '<=', 'scalargtsel', 'scalargtjoinsel']] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_operator
        WHERE oprname = spec[1] AND oprnamespace = 'warden'::regnamespace
          AND oprleft = 'warden.ore_block'::regtype AND oprright = 'warden.ore_block'::regtype
          AND oprcode <> 0) THEN  -- a commutator's shell is filled, not skipped
      EXECUTE format('CREATE OPERATOR warden.%s (FUNCTION = warden.%s, LEFTARG = warden.ore_block,'
          ' RIGHTARG = warden.ore_block, COMMUTATOR = OPERATOR(warden.%s), %s RESTRICT = %s, JOIN = %s)',
          spec[1], spec[2], spec[3],
          CASE WHEN spec[1] = '=' THEN '' ELSE format('NEGATOR = OPERATOR(warden.%s),', spec[4]) END,
          spec[5], spec[6]);
    END IF;
  END LOOP;
END $$;

-- MIN and MAX of a stored column: an aggregate over warden.ore_block_cmp, which reads every row. PostgreSQL never
-- answers an aggregate over a composite type from an index (planagg.c, can_minmax_aggs), so with the operator class
-- MAX(col) is to be asked as SELECT col ... WHERE col IS NOT NULL ORDER BY col DESC LIMIT 1 (an index scan).
CREATE OR REPLACE AGGREGATE warden.ore_min(warden.ore_block) (
  SFUNC = warden.ore_block_smaller, STYPE = warden.ore_block, COMBINEFUNC = warden.ore_block_smaller,
  SORTOP = OPERATOR(warden.<), PARALLEL = SAFE);
CREATE OR REPLACE AGGREGATE warden.ore_max(warden.ore_block) (
  SFUNC = warden.ore_block_larger, STYPE = warden.ore_block, COMBINEFUNC = warden.ore_block_larger,
  SORTOP = OPERATOR(warden.>), PARALLEL = SAFE);

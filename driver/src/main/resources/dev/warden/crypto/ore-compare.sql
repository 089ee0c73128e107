-- The comparison function of order indexes (not yet applied by `warden schema`): the Lewi–Wu comparison of a query's left ciphertext with a
-- stored right ciphertext, as dev.warden.crypto.LewiWuBlockOre.compare does it. Needs pgcrypto (a trusted
-- extension since PostgreSQL 13: a database owner may create it) for AES: H(k, r) = AES-128(key r, k).
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS warden;

CREATE OR REPLACE FUNCTION warden.ore_compare(l bytea, r bytea) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  n integer := get_byte(l, 0);
  masks bytea;
  h integer;
  indicator integer;
BEGIN
  IF n < 1 OR n > 15 OR length(l) <> 1 + 17 * n OR length(r) <> 17 + 64 * n OR get_byte(r, 0) <> n THEN
    RAISE EXCEPTION 'not a left and a right ORE ciphertext of the same length' USING ERRCODE = '22023';
  END IF;
  -- one AES key schedule (the right ciphertext's nonce) per comparison, n blocks in one call
  masks := encrypt(substring(l from 2 + n for 16 * n), substring(r from 2 for 16), 'aes-ecb/pad:none');
  FOR i IN 0 .. n - 1 LOOP
    h := get_byte(l, 1 + i);
    indicator := ((get_byte(r, 17 + 64 * i + (h >> 2)) >> ((h & 3) * 2)) # get_byte(masks, 16 * i)) & 3;
    IF indicator = 1 THEN RETURN -1; ELSIF indicator = 2 THEN RETURN 1; END IF;
  END LOOP;
  RETURN 0;
END $$;

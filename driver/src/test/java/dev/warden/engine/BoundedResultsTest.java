package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The verdicts that need no catalog: a count that is a literal within the fetch size is bounded, any other is
 * not. (Unique keys are read from a real database in the gateway's GatewayBoundedMemoryIT.)
 */
class BoundedResultsTest {

    /** No connection: a verdict that would read unique keys fails, which must read as unbounded. */
    private final BoundedResults results = new BoundedResults(null, 1000);

    @Test
    void aLiteralLimitWithinTheFetchSizeIsBounded() {
        assertTrue(results.isBounded("SELECT * FROM t LIMIT 1000"));
        assertTrue(results.isBounded("SELECT * FROM t WHERE x = 'a' ORDER BY x LIMIT 0 OFFSET 10"));
        assertTrue(results.isBounded("SELECT * FROM t FETCH FIRST 10 ROWS ONLY"));
        assertTrue(results.isBounded("SELECT 1"));
        assertTrue(results.isBounded("SELECT ?"));
    }

    @Test
    void aLargerOrUnknownCountIsNot() {
        assertFalse(results.isBounded("SELECT * FROM t LIMIT 1001"));
        assertFalse(results.isBounded("SELECT * FROM t LIMIT 99999999999999999999"));
        assertFalse(results.isBounded("SELECT * FROM t LIMIT 5.5"));
        assertFalse(results.isBounded("SELECT * FROM t LIMIT ?"));
        assertFalse(results.isBounded("SELECT * FROM t FETCH FIRST ? ROWS ONLY"));
        assertFalse(results.isBounded("SELECT * FROM t LIMIT '10'"));
    }

    @Test
    void aLimitDoesNotBoundALikeOnATableWithMatchColumns() {
        // Warden takes the LIMIT out of a LIKE through a match index and reads every candidate row
        BoundedResults withMatch = new BoundedResults(null, 1000, java.util.Set.of("customers"));
        assertFalse(withMatch.isBounded("SELECT id FROM customers WHERE nickname LIKE 'chan%' LIMIT 20"));
        assertFalse(withMatch.isBounded("SELECT id FROM Customers c WHERE c.nickname ILIKE ? FETCH FIRST 2 ROWS ONLY"));
        assertTrue(withMatch.isBounded("SELECT id FROM customers WHERE id = ? LIMIT 20"));
        assertTrue(withMatch.isBounded("SELECT id FROM orders WHERE note LIKE 'x%' LIMIT 20"));
        assertTrue(results.isBounded("SELECT id FROM customers WHERE nickname LIKE 'chan%' LIMIT 20"));
    }

    @Test
    void aKeyLookupWhoseKeysCannotBeReadIsNot() {
        assertFalse(results.isBounded("SELECT abalance FROM pgbench_accounts WHERE aid = ?"));
    }
}

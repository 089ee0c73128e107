package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code sort-row-cap:}: read as written with its line, 10,000 by default, anything else refused at its line. */
class SortRowCapPolicyTest {

    private static final String RULES = """
            roles: { analyst: }
            tables:
              customers:
                email: { encrypt: none, read: { analyst: plaintext } }
            """;

    @Test
    void theCapIsReadWithItsLineAndDefaultsToTenThousand() throws Exception {
        SortRowCap byDefault = PolicyLoader.parse(RULES, "policy.yaml", null).sortRowCap();
        assertEquals(10_000, byDefault.rows());
        assertEquals("sort-row-cap (default)", byDefault.origin());
        SortRowCap set = PolicyLoader.parse(RULES + "sort-row-cap: 250\n", "policy.yaml", null).sortRowCap();
        assertEquals(250, set.rows());
        assertEquals("sort-row-cap (policy.yaml:5)", set.origin());
    }

    @Test
    void aCapThatIsNotAWholeNumberInRangeIsRefusedAtItsLine() {
        for (String value : new String[] {"0", "-1", "ten", "1.5", "10000001", "99999999999"}) {
            PolicyException e = assertThrows(PolicyException.class,
                    () -> PolicyLoader.parse(RULES + "sort-row-cap: " + value + "\n", "policy.yaml", null));
            assertTrue(e.getMessage().startsWith("policy.yaml:5: sort-row-cap: expected a whole number of rows from 1"
                    + " to 10000000"), e.getMessage());
        }
    }
}

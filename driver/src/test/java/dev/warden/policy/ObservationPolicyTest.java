package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The top-level {@code mode:} and the {@code observe:} section: read as written, enforce by default. */
class ObservationPolicyTest {

    private static final String BODY = """
            roles: { support: {} }
            tables: { customers: { email: { encrypt: none, read: { support: plaintext } } } }
            """;

    private static Policy parse(String extra) throws PolicyException {
        return PolicyLoader.parse(BODY + extra, "policy.yaml", null);
    }

    private static void rejected(String extra, int line, String... fragments) {
        PolicyException e = assertThrows(PolicyException.class, () -> parse(extra));
        assertTrue(e.getMessage().startsWith("policy.yaml:" + line + ": "), e.getMessage());
        for (String fragment : fragments) assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void aPolicyWithoutModeEnforces() throws Exception {
        Policy policy = parse("");
        assertEquals(Mode.ENFORCE, policy.observation().mode());
        assertFalse(policy.observation().observes());
        assertEquals(List.of(), policy.observation().callSiteSkip());
        assertEquals(Mode.ENFORCE, parse("mode: enforce\n").observation().mode());
    }

    @Test
    void observeModeAndItsCallSiteSkipListAreReadAsWritten() throws Exception {
        Policy policy = parse("mode: observe\nobserve: { call-site-skip: [com.acme.db, org.jooq] }\n");
        assertTrue(policy.observation().observes());
        assertEquals(List.of("com.acme.db", "org.jooq"), policy.observation().callSiteSkip());
    }

    @Test
    void anUnknownModeNamesItsLineAndTheAllowedModes() {
        rejected("mode: watch\n", 3, "mode: unknown mode 'watch'", "allowed: enforce, observe");
        rejected("mode: [observe]\n", 3, "mode: expected a single value");
        rejected("mode:\n", 3, "mode: missing value");
    }

    @Test
    void theObserveSectionIsValidated() {
        rejected("observe: { skip: [a.b] }\n", 3, "observe: unknown key 'skip'", "allowed keys: call-site-skip");
        rejected("observe:\n  call-site-skip:\n    - com.acme\n    - not a package\n", 6,
                "observe.call-site-skip: 'not a package' is not a Java package or class name");
        rejected("observe: { call-site-skip: com.acme }\n", 3, "observe.call-site-skip: expected a list");
    }
}

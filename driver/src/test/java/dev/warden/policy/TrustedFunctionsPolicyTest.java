package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The {@code functions:} section: schema-qualified names of functions the DBA vouches for, validated at load. */
class TrustedFunctionsPolicyTest {

    private static final String BODY = """
            roles:
              support: {}
            tables:
              customers:
                ssn: { encrypt: none, read: { support: plaintext } }
            """;

    private static Policy load(String functions) throws IOException, PolicyException {
        Path dir = Files.createTempDirectory("warden-functions");
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, BODY + functions);
        return PolicyLoader.load(file.toString());
    }

    private static String failure(String functions) {
        PolicyException e = assertThrows(PolicyException.class, () -> load(functions));
        return e.getMessage();
    }

    @Test
    void trustedFunctionsAreReadWithTheirLine() throws Exception {
        Policy policy = load("functions: [public.audit_row, Billing.Red_W2]\n");
        assertEquals(2, policy.trustedFunctions().size());
        TrustedFunction f = policy.trustedFunctions().get("billing.red_w2");
        assertEquals("billing", f.schema());
        assertEquals("red_w2", f.name());
        assertEquals(6, f.line());
        assertTrue(policy.hasRulesOnlyColumns());
    }

    @Test
    void noSectionTrustsNothing() throws Exception {
        assertTrue(load("").trustedFunctions().isEmpty());
    }

    @Test
    void anUnqualifiedNameIsRefusedWithItsLine() {
        String message = failure("functions:\n  - audit_row\n");
        assertTrue(message.contains("policy.yaml:7: functions: 'audit_row' is not a schema-qualified function name"),
                message);
    }

    @Test
    void aSystemFunctionCannotBeTrusted() {
        String message = failure("functions: [pg_catalog.query_to_xml]\n");
        assertTrue(message.contains(":6: functions: 'pg_catalog.query_to_xml' is a system function"), message);
        assertTrue(failure("functions: [information_schema.x]\n").contains("system function"));
    }

    @Test
    void aFunctionListedTwiceIsRefused() {
        String message = failure("functions:\n  - public.f\n  - PUBLIC.F\n");
        assertTrue(message.contains(":8: functions: 'PUBLIC.F' is listed twice (first on line 7)"), message);
    }

    @Test
    void theSectionMustBeAListOfNames() {
        assertTrue(failure("functions: public.f\n").contains("functions: expected a list"));
        assertTrue(failure("functions: [public.f(text)]\n").contains("not a schema-qualified function name"));
        assertTrue(failure("functions: [a.b.c]\n").contains("not a schema-qualified function name"));
    }
}

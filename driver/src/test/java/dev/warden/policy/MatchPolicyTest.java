package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code match: true}: on encrypted text columns only, a filter list on a randomized column grants LIKE. */
class MatchPolicyTest {

    private static final String BASE = """
            keyset: k.json
            roles: { support: {}, analyst: {} }
            tables:
              customers:
                name:
                  encrypt: ENCRYPT
                  type: TYPE
                  read: { support: plaintext, analyst: masked }
                  mask: redact
                  filter: [support]
                  match: MATCH
            """;

    private static Policy parse(String encrypt, String type, String match) throws PolicyException {
        return PolicyLoader.parse(BASE.replace("ENCRYPT", encrypt).replace("TYPE", type).replace("MATCH", match),
                "policy.yaml", null);
    }

    @Test
    void aRandomizedTextColumnMayKeepAMatchIndexAndGrantLikeToItsFilterList() throws Exception {
        Policy policy = parse("randomized", "text", "true");
        ColumnRule rule = policy.column(null, "customers", "name").orElseThrow();
        assertTrue(rule.match());
        assertEquals("name_match", rule.matchColumn());
        assertEquals(Set.of("support"), rule.filterers());
        assertTrue(policy.hasMatchColumns());
        assertEquals(rule, policy.matchCompanionOwner(null, "customers", "name_match").orElseThrow());
        assertTrue(policy.matchCompanionOwner(null, "customers", "email_match").isEmpty());
        assertFalse(parse("deterministic", "text", "false").column(null, "customers", "name").orElseThrow().match());
    }

    @Test
    void matchIsRefusedWhereItCannotWork() {
        PolicyException none = assertThrows(PolicyException.class, () -> parse("none", "text", "true"));
        assertTrue(none.getMessage().startsWith("policy.yaml:11: tables.customers.name.match: a rules-only column"),
                none.getMessage());
        PolicyException date = assertThrows(PolicyException.class, () -> parse("randomized", "date", "true"));
        assertTrue(date.getMessage().contains("'match' indexes text: the column's type is date"), date.getMessage());
        PolicyException word = assertThrows(PolicyException.class, () -> parse("randomized", "text", "yes"));
        assertTrue(word.getMessage().contains("'match' must be true or false"), word.getMessage());
        // without a match index a filter list on a randomized column still grants nothing, and is refused
        PolicyException filter = assertThrows(PolicyException.class, () -> parse("randomized", "text", "false"));
        assertTrue(filter.getMessage().contains("the column is encrypted randomized"), filter.getMessage());
    }
}

package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code order: true|filter|false}: on encrypted columns of an orderable type; a filter list on a randomized one. */
class OrderPolicyTest {

    private static final String BASE = """
            keyset: k.json
            roles: { support: {}, analyst: {} }
            tables:
              customers:
                born:
                  encrypt: ENCRYPT
                  type: TYPE
                  read: { support: plaintext, analyst: masked }
                  mask: redact
                  filter: [support]
                  order: ORDER
            """;

    private static Policy parse(String encrypt, String type, String order) throws PolicyException {
        return PolicyLoader.parse(BASE.replace("ENCRYPT", encrypt).replace("TYPE", type).replace("ORDER", order),
                "policy.yaml", null);
    }

    @Test
    void everyOrderableTypeMayKeepAnOrderIndex() throws Exception {
        for (String type : new String[] {"integer", "bigint", "numeric", "date", "timestamp", "text"}) {
            for (String value : new String[] {"true", "filter"}) {
                Policy policy = parse("randomized", type, value);
                ColumnRule rule = policy.column(null, "customers", "born").orElseThrow();
                assertEquals(OrderIndexKind.FILTER, rule.order(), type + " " + value);
                assertEquals("born_order", rule.orderColumn());
                assertEquals(Set.of("support"), rule.filterers());
                assertTrue(policy.hasOrderColumns());
                assertEquals(rule, policy.orderCompanionOwner(null, "customers", "born_order").orElseThrow());
            }
        }
        assertEquals(OrderIndexKind.NONE, parse("deterministic", "date", "false").column(null, "customers", "born")
                .orElseThrow().order());
    }

    @Test
    void orderIsRefusedWhereItCannotWorkWithFileAndLine() {
        PolicyException none = assertThrows(PolicyException.class, () -> parse("none", "date", "true"));
        assertTrue(none.getMessage().startsWith("policy.yaml:11: tables.customers.born.order: a rules-only column"),
                none.getMessage());
        PolicyException bytes = assertThrows(PolicyException.class, () -> parse("randomized", "bytes", "true"));
        assertTrue(bytes.getMessage().contains("the column's type is bytes"), bytes.getMessage());
        PolicyException word = assertThrows(PolicyException.class, () -> parse("randomized", "date", "yes"));
        assertTrue(word.getMessage().contains("'order' must be true, filter or false"), word.getMessage());
    }
}

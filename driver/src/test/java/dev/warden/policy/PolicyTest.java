package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Table matching with and without schema, session checks, and the snapshot's immutability. */
class PolicyTest {

    private static final String YAML = """
            roles:
              support: { purposes: [customer-service] }
              analyst: {}
            tables:
              customers:
                email: { encrypt: none, read: { support: plaintext } }
              billing.invoices:
                amount: { encrypt: none, read: { support: plaintext } }
            """;

    private static Policy policy() throws PolicyException {
        return PolicyLoader.parse(YAML, "policy.yaml", null);
    }

    @Test
    void unqualifiedPolicyTableMatchesAnySchema() throws Exception {
        Policy policy = policy();
        for (String schema : new String[] {null, "public", "sales"}) {
            assertEquals("customers.email", policy.column(schema, "customers", "email").orElseThrow().qualifiedName());
            assertTrue(policy.protectsTable(schema, "customers"));
        }
    }

    @Test
    void qualifiedPolicyTableMatchesItsSchemaOrNoSchema() throws Exception {
        Policy policy = policy();
        assertTrue(policy.column("billing", "invoices", "amount").isPresent());
        assertTrue(policy.column(null, "invoices", "amount").isPresent());
        assertTrue(policy.column("public", "invoices", "amount").isEmpty());
        assertTrue(policy.protectsTable("billing", "invoices"));
        assertTrue(policy.protectsTable(null, "invoices"));
        assertFalse(policy.protectsTable("public", "invoices"));
    }

    @Test
    void unprotectedTablesAndColumnsHaveNoRule() throws Exception {
        Policy policy = policy();
        assertTrue(policy.column(null, "customers", "name").isEmpty());
        assertTrue(policy.column(null, "orders", "email").isEmpty());
        assertTrue(policy.column(null, null, null).isEmpty());
        assertFalse(policy.protectsTable(null, "orders"));
        assertFalse(policy.protectsTable(null, null));
    }

    @Test
    void namesMatchExactlyAsStored() throws Exception {
        Policy policy = policy();
        assertTrue(policy.column(null, "Customers", "email").isEmpty());
        assertTrue(policy.column(null, "customers", "EMAIL").isEmpty());
        assertFalse(policy.protectsTable("BILLING", "invoices"));
    }

    @Test
    void protectedTableNamesAreBare() throws Exception {
        assertEquals(Set.of("customers", "invoices"), policy().protectedTableNames());
    }

    @Test
    void sessionOfAnUnknownRoleIsRefusedNamingTheDeclaredRoles() throws Exception {
        PolicyException e = assertThrows(PolicyException.class, () -> policy().checkSession("suport", null));
        assertEquals("unknown role 'suport' in policy.yaml (declared roles: analyst, support)", e.getMessage());
        assertThrows(PolicyException.class, () -> policy().checkSession(null, null));
    }

    @Test
    void sessionPurposeMustBeDeclaredByItsRole() throws Exception {
        Policy policy = policy();
        policy.checkSession("support", "customer-service");
        policy.checkSession("support", null);
        policy.checkSession("analyst", null);
        PolicyException e = assertThrows(PolicyException.class, () -> policy.checkSession("support", "marketing"));
        assertTrue(e.getMessage().startsWith(
                "role 'support' may not act for purpose 'marketing' (declared: customer-service)"), e.getMessage());
        e = assertThrows(PolicyException.class, () -> policy.checkSession("analyst", "customer-service"));
        assertTrue(e.getMessage().contains("(declared: none)"), e.getMessage());
    }

    @Test
    void accessThroughThePolicyFollowsRoleAndPurpose() throws Exception {
        Policy policy = PolicyLoader.load("classpath:policy/demo-policy.yaml");
        ColumnRule email = policy.column("public", "customers", "email").orElseThrow();
        assertEquals(Access.PLAINTEXT, email.accessFor("support", "customer-service"));
        assertEquals(Access.PLAINTEXT, email.accessFor("billing", "order-processing"));
        assertEquals(Access.MASKED, email.accessFor("support", null));
        assertEquals(Access.MASKED, email.accessFor("analyst", "customer-service"));
        ColumnRule card = policy.column(null, "customers", "card_number").orElseThrow();
        assertEquals(Access.PLAINTEXT, card.accessFor("billing", null));
        assertEquals(Access.MASKED, card.accessFor("support", "customer-service"));
        assertEquals(Access.DENIED, card.accessFor("analyst", null));
        assertEquals("************1111", card.mask().apply("4111111111111111"));
    }

    @Test
    void snapshotCollectionsAreUnmodifiable() throws Exception {
        Policy policy = policy();
        assertThrows(UnsupportedOperationException.class, () -> policy.columns().clear());
        assertThrows(UnsupportedOperationException.class, () -> policy.protectedTableNames().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> policy.roles().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> policy.role("support").orElseThrow().purposes().add("marketing"));
    }

    @Test
    void constructorRefusesRulesTheLookupCouldNotTellApart() {
        AuditSettings audit = AuditSettings.defaults(null);
        List<RoleRule> roles = List.of(new RoleRule("r", Set.of()));
        ColumnRule sales = new ColumnRule("sales", "t", "c", Encryption.NONE, ColumnType.TEXT, Map.of(), null,
                Set.of(), Set.of(), 1);
        ColumnRule crm = new ColumnRule("crm", "t", "d", Encryption.NONE, ColumnType.TEXT, Map.of(), null,
                Set.of(), Set.of(), 2);
        ColumnRule undeclared = new ColumnRule(null, "u", "c", Encryption.NONE, ColumnType.TEXT,
                Map.of("ghost", Access.PLAINTEXT), null, Set.of(), Set.of(), 3);
        assertThrows(IllegalArgumentException.class,
                () -> new Policy("test", "v", null, roles, List.of(sales, crm), audit));
        assertThrows(IllegalArgumentException.class,
                () -> new Policy("test", "v", null, roles, List.of(sales, sales), audit));
        assertThrows(IllegalArgumentException.class,
                () -> new Policy("test", "v", null, roles, List.of(undeclared), audit));
        ColumnRule ghostFilter = new ColumnRule(null, "u", "c", Encryption.NONE, ColumnType.TEXT, Map.of(), null,
                Set.of(), Set.of(), Set.of("ghost"), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Policy("test", "v", null, roles, List.of(ghostFilter), audit));
        assertTrue(e.getMessage().contains("undeclared role 'ghost'"), e.getMessage());
    }
}

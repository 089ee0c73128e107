package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every way a policy is rejected: the message starts with {@code file:line: }, names the rule's path and
 * says what is wrong. Fixtures are text blocks whose first line is line 1.
 */
class PolicyValidationTest {

    private static PolicyException rejected(String yaml, int line, String... fragments) {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.parse(yaml, "policy.yaml", null));
        String message = e.getMessage();
        assertTrue(message.startsWith("policy.yaml:" + line + ": "), "expected line " + line + ": " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "expected '" + fragment + "' in: " + message);
        }
        return e;
    }

    @Test
    void unknownRoleInReadNamesTheDeclaredRolesSorted() {
        PolicyException e = rejected("""
                keyset: k.json
                roles:
                  support: {}
                  billing: {}
                  analyst: {}
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { suport: plaintext }
                """, 10);
        assertEquals("policy.yaml:10: tables.customers.email.read: unknown role 'suport' "
                + "(declared roles: analyst, billing, support)", e.getMessage());
    }

    @Test
    void unknownRoleInWrite() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                      write:
                        - support
                        - biling
                """, 10, "tables.customers.email.write: unknown role 'biling'", "declared roles: support");
    }

    @Test
    void unknownRoleInFilter() {
        rejected("""
                keyset: k.json
                roles: { support: {}, analyst: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                      filter: [support,
                        analist]
                """, 9, "tables.customers.email.filter: unknown role 'analist'", "declared roles: analyst, support");
    }

    @Test
    void filterThatIsNotAList() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                      filter: support
                """, 8, "tables.customers.email.filter: expected a list such as [a, b], found 'support'");
    }

    @Test
    void filterNamingRolesOnARandomizedColumnGrantsNothingAndIsRejected() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    card_number:
                      encrypt: randomized
                      read: { support: plaintext }
                      filter: [support]
                """, 8, "tables.customers.card_number.filter: the column is encrypted randomized");
    }

    @Test
    void unknownTopLevelKeyListsTheAllowedKeys() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tabels: {}
                """, 3, "policy: unknown key 'tabels'", "allowed keys: keyset, keyset-reload, policy-reload, roles, tables, functions, audit, denied-columns,"
                + " mode, observe");
    }

    @Test
    void unknownDeniedColumnsValueListsTheAllowedValues() {
        rejected("""
                roles: { support: {} }
                tables: { customers: { email: { encrypt: none, read: { support: plaintext } } } }
                denied-columns: nul
                """, 3, "denied-columns: unknown value 'nul'", "allowed: refuse, null");
        // YAML's other spellings of null are not the word the policy asks for
        rejected("""
                roles: { support: {} }
                tables: { customers: { email: { encrypt: none, read: { support: plaintext } } } }
                denied-columns: ~
                """, 3, "denied-columns: unknown value '~'");
        rejected("""
                roles: { support: {} }
                tables: { customers: { email: { encrypt: none, read: { support: plaintext } } } }
                denied-columns: [null]
                """, 3, "denied-columns: expected a single value, found a list");
        rejected("""
                roles: { support: {} }
                tables: { customers: { email: { encrypt: none, read: { support: plaintext } } } }
                denied-columns:
                """, 3, "denied-columns: missing value");
    }

    @Test
    void unknownColumnKeyListsTheAllowedKeys() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: masked }
                      maks: email
                """, 8, "tables.customers.email: unknown key 'maks'",
                "allowed keys: encrypt, type, read, mask, write, filter, purposes");
    }

    @Test
    void unknownRoleKey() {
        rejected("""
                roles:
                  support:
                    purpose: [customer-service]
                """, 3, "roles.support: unknown key 'purpose'", "allowed keys: purposes");
    }

    @Test
    void unknownAuditKey() {
        rejected("""
                roles: { support: {} }
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                audit:
                  durability: sync
                  rotate-size: 10
                """, 7, "audit: unknown key 'rotate-size'", "rotate-size-mb");
    }

    @Test
    void readThatIsNotAMapping() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: plaintext
                """, 7, "tables.customers.email.read: expected a mapping, found 'plaintext'");
    }

    @Test
    void writeThatIsNotAList() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                      write: support
                """, 8, "tables.customers.email.write: expected a list");
    }

    @Test
    void rolesThatAreAList() {
        rejected("""
                roles:
                  - support
                """, 2, "roles: expected a mapping, found a list");
    }

    @Test
    void policyThatIsNotAMapping() {
        rejected("- just a list\n", 1, "policy: expected a mapping");
    }

    @Test
    void missingRead() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      mask: email
                """, 5, "tables.customers.email: missing 'read'");
    }

    @Test
    void missingEncrypt() {
        rejected("""
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      read: { support: plaintext }
                """, 4, "tables.customers.email: missing 'encrypt'", "deterministic, randomized, none");
    }

    @Test
    void missingRolesAndMissingTables() {
        rejected("""
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                """, 1, "policy: missing 'roles'");
        rejected("""
                roles: { support: {} }
                """, 1, "policy: missing 'tables'");
    }

    @Test
    void unknownAccessWord() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read:
                        support: plain
                """, 8, "tables.customers.email.read: unknown access 'plain'", "allowed: plaintext, masked, denied");
    }

    @Test
    void unknownEncryptWord() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: aes
                      read: { support: plaintext }
                """, 6, "tables.customers.email.encrypt: unknown encryption 'aes'",
                "allowed: deterministic, randomized, none");
    }

    @Test
    void unknownTypeWord() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: randomized
                      type: varchar
                      read: { support: plaintext }
                """, 7, "tables.customers.email.type: unknown type 'varchar'",
                "allowed: text, integer, bigint, numeric, date, timestamp, bytes");
    }

    @Test
    void unknownMaskWord() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email:
                      encrypt: randomized
                      read: { support: masked }
                      mask: stars
                """, 8, "tables.customers.email.mask: unknown mask 'stars'", "allowed: email, last4, redact, null");
    }

    @Test
    void maskedGrantWithoutMask() {
        rejected("""
                keyset: k.json
                roles: { support: {}, analyst: {} }
                tables:
                  customers:
                    email:
                      encrypt: randomized
                      read:
                        support: plaintext
                        analyst: masked
                """, 9, "tables.customers.email.read: role 'analyst' is granted 'masked' but the column has no 'mask'");
    }

    @Test
    void purposeThatNoRoleDeclares() {
        rejected("""
                keyset: k.json
                roles:
                  support: { purposes: [customer-service] }
                  billing: { purposes: [order-processing] }
                tables:
                  customers:
                    email:
                      encrypt: randomized
                      read: { support: plaintext }
                      purposes:
                        - customer-service
                        - marketing
                """, 12, "tables.customers.email.purposes: purpose 'marketing' is declared by no role",
                "declared purposes: customer-service, order-processing");
    }

    @Test
    void duplicateColumnKey() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  customers:
                    email: { encrypt: randomized, read: { support: plaintext } }
                    email: { encrypt: none, read: { support: plaintext } }
                """, 6, "tables.customers: duplicate key 'email' (first at line 5)");
    }

    @Test
    void duplicateKeyInAFlowMapping() {
        rejected("""
                roles: { support: {} }
                tables:
                  customers:
                    email: { encrypt: none, read: { support: plaintext, support: denied } }
                """, 4, "tables.customers.email.read: duplicate key 'support'");
    }

    @Test
    void duplicateTableQualifiedAndNot() {
        rejected("""
                roles: { support: {} }
                tables:
                  customers:
                    email: { encrypt: none, read: { support: plaintext } }
                  public.customers:
                    phone: { encrypt: none, read: { support: plaintext } }
                """, 5, "tables.public.customers: table 'customers' is already listed at line 3 as 'customers'");
    }

    @Test
    void sameTableInTwoSchemasIsRefusedBecauseUnqualifiedStatementsWouldBeAmbiguous() {
        rejected("""
                roles: { support: {} }
                tables:
                  sales.customers:
                    email: { encrypt: none, read: { support: plaintext } }
                  crm.customers:
                    phone: { encrypt: none, read: { support: plaintext } }
                """, 5, "tables.crm.customers: table 'customers' is already listed at line 3 as 'sales.customers'");
    }

    @Test
    void malformedTableName() {
        rejected("""
                roles: { support: {} }
                tables:
                  db.public.customers:
                    email: { encrypt: none, read: { support: plaintext } }
                """, 3, "tables.db.public.customers: 'db.public.customers' is not a table name");
    }

    @Test
    void tableWithoutColumns() {
        rejected("""
                roles: { support: {} }
                tables:
                  customers: {}
                """, 3, "tables.customers: table 'customers' lists no columns");
        rejected("""
                roles: { support: {} }
                tables:
                  customers:
                """, 3, "tables.customers: table 'customers' lists no columns");
    }

    @Test
    void noTablesAtAll() {
        rejected("""
                roles: { support: {} }
                tables: {}
                """, 2, "tables: no tables listed");
    }

    @Test
    void noRolesAtAll() {
        rejected("""
                roles: {}
                tables: {}
                """, 1, "roles: no roles declared");
    }

    @Test
    void encryptedColumnWithoutKeyset() {
        rejected("""
                roles: { support: {} }
                tables:
                  customers:
                    name: { encrypt: none, read: { support: plaintext } }
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                """, 6, "tables.customers.email.encrypt: the column is encrypted but the policy names no 'keyset'");
    }

    @Test
    void emailOrLast4MaskOnANonTextColumn() {
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  accounts:
                    balance:
                      encrypt: randomized
                      type: integer
                      read: { support: masked }
                      mask: last4
                """, 9, "tables.accounts.balance.mask: mask 'last4' needs a text column",
                "integer column may use redact or null");
        rejected("""
                keyset: k.json
                roles: { support: {} }
                tables:
                  accounts:
                    opened: { encrypt: randomized, type: date, mask: email, read: { support: masked } }
                """, 5, "tables.accounts.opened.mask: mask 'email' needs a text column");
    }

    @Test
    void badAuditValues() throws PolicyException {
        String head = """
                roles: { support: {} }
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                audit:
                """;
        rejected(head + "  durability: eventually\n", 6, "audit.durability: unknown durability 'eventually'",
                "allowed: async, sync");
        rejected(head + "  on-failure: ignore\n", 6, "audit.on-failure: unknown on-failure 'ignore'",
                "allowed: fail-closed, fail-open");
        rejected(head + "  hash-row-keys: yes\n", 6, "audit.hash-row-keys: expected true or false");
        rejected(head + "  rotate-size-mb: 1.5\n", 6, "audit.rotate-size-mb: expected a whole number of megabytes");
        rejected(head + "  path: [a, b]\n", 6, "audit.path: expected a single value, found a list");
        rejected(head + "  table:\n    jdbc-url: jdbc:postgresql://a/b\n    password: hunter2\n", 8,
                "audit.table.password: write the password as a reference, env:NAME or file:PATH");
        rejected(head + "  table:\n    jdbc-url: jdbc:warden:postgresql://a/b\n", 7,
                "audit.table.jdbc-url: expected a plain JDBC URL");
        rejected(head + "  table:\n    user: auditor\n", 7, "audit.table: missing jdbc-url");
        rejected(head + "  table:\n    jdbc-url: jdbc:postgresql://a/b\n    schema: x\n", 8,
                "audit.table: unknown key 'schema'");
        for (String unsafe : List.of("../up", "gw/1", "gw@1", ".hidden")) {
            rejected(head + "  instance: \"" + unsafe + "\"\n", 6, "audit.instance: '" + unsafe + "' must be 1 to 100 "
                    + "letters, digits");
        }
        AuditSettings settings = PolicyLoader.parse(head + "  instance: gw-1.eu\n  anchor: /var/lib/warden/a.anchor\n",
                "policy.yaml", null).audit();
        assertEquals("gw-1.eu", settings.instance());
        assertEquals(java.nio.file.Path.of("/var/lib/warden/a.anchor"), settings.anchor());
    }

    @Test
    void malformedYamlReportsItsLine() {
        PolicyException e = rejected("""
                roles: { support: {} }
                tables:
                  customers:
                    email: { encrypt: none, read: { support: plaintext }
                    phone: {}
                """, 5, "malformed YAML");
        assertTrue(e.getCause() != null);
        rejected("""
                roles:
                  support: {}
                 billing: {}
                """, 3, "malformed YAML");
    }

    @Test
    void keysetReloadIntervalDefaultsToTenSecondsAndMayBeTurnedOff() throws PolicyException {
        String body = """
                roles: { support: {} }
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                """;
        assertEquals(java.time.Duration.ofSeconds(10), PolicyLoader.parse(body, "policy.yaml", null).keysetReload());
        assertEquals(Policy.DEFAULT_KEYSET_RELOAD, PolicyLoader.parse(body, "policy.yaml", null).keysetReload());
        String[][] accepted = {{"2s", "PT2S"}, {"500ms", "PT0.5S"}, {"5m", "PT5M"}, {"1h", "PT1H"}, {"off", "PT0S"},
                {"0", "PT0S"}, {"OFF", "PT0S"}, {"100ms", "PT0.1S"}, {"24h", "PT24H"}};
        for (String[] a : accepted) {
            assertEquals(a[1], PolicyLoader.parse("keyset-reload: " + a[0] + "\n" + body, "policy.yaml", null)
                    .keysetReload().toString(), a[0]);
        }
    }

    @Test
    void badKeysetReloadIntervals() {
        String body = """
                roles: { support: {} }
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                """;
        for (String bad : new String[] {"10", "fast", "99ms", "25h", "-1s", "1.5s", "10 s"}) {
            rejected("keyset-reload: " + bad + "\n" + body, 1, "keyset-reload: ", "such as 10s");
        }
    }

    @Test
    void policyReloadIntervalDefaultsToTenSecondsAndIsReadLikeKeysetReload() throws PolicyException {
        String body = """
                roles: { support: {} }
                tables:
                  t:
                    c: { encrypt: none, read: {} }
                """;
        assertEquals(Policy.DEFAULT_POLICY_RELOAD, PolicyLoader.parse(body, "policy.yaml", null).policyReload());
        assertEquals(java.time.Duration.ofMillis(500),
                PolicyLoader.parse("policy-reload: 500ms\n" + body, "policy.yaml", null).policyReload());
        assertEquals(java.time.Duration.ZERO,
                PolicyLoader.parse("policy-reload: off\n" + body, "policy.yaml", null).policyReload());
        rejected("roles: { support: {} }\npolicy-reload: 10\ntables: {}\n", 2, "policy-reload: ", "such as 10s");
    }

    @Test
    void emptyPolicy() {
        rejected("# nothing but a comment\n", 1, "the policy is empty");
    }

    @Test
    void aJoinGroupNeedsDeterministicColumnsOfOneType() {
        String head = """
                keyset: k.json
                roles:
                  support: {}
                tables:
                  customers:
                    email:
                      encrypt: deterministic
                      read: { support: plaintext }
                      join-group: contact
                  leads:
                    email:
                      encrypt: %s
                      type: %s
                      read: { support: plaintext }
                      join-group: %s
                """;
        rejected(head.formatted("randomized", "text", "contact"), 15, "tables.leads.email.join-group",
                "encrypted randomized", "only encrypt: deterministic columns can be joined on");
        rejected(head.formatted("deterministic", "date", "contact"), 15, "join group 'contact' holds customers.email"
                + " of type text (line 9), but this column is of type date");
        rejected(head.formatted("deterministic", "text", "a.b"), 15, "'a.b' is not a group name");
        rejected(head.formatted("deterministic", "text", "[x]"), 15, "expected a group name");
    }

    @Test
    void columnsOfOneJoinGroupShareTheirCipherBinding() throws Exception {
        Policy p = PolicyLoader.parse("""
                keyset: k.json
                roles:
                  support: {}
                tables:
                  customers:
                    email: { encrypt: deterministic, read: { support: plaintext }, join-group: contact }
                    phone: { encrypt: deterministic, read: { support: plaintext } }
                  leads:
                    email: { encrypt: deterministic, read: { support: plaintext }, join-group: contact }
                """, "policy.yaml", null);
        ColumnRule customers = p.column(null, "customers", "email").orElseThrow();
        ColumnRule leads = p.column(null, "leads", "email").orElseThrow();
        ColumnRule phone = p.column(null, "customers", "phone").orElseThrow();
        assertEquals("join-group:contact", customers.cipherBinding());
        assertEquals(customers.cipherBinding(), leads.cipherBinding());
        assertEquals("customers.phone", phone.cipherBinding());
        assertTrue(customers.joinsWith(leads) && leads.joinsWith(customers));
        assertTrue(!customers.joinsWith(phone) && !phone.joinsWith(customers));
    }
}

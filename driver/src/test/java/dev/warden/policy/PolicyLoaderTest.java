package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading policies from files and the classpath, and the rules a valid policy yields. */
class PolicyLoaderTest {

    private static final String DEMO = "classpath:policy/demo-policy.yaml";

    private static final String SMALL = """
            keyset: keys/k.json
            roles:
              support: {}
            tables:
              customers:
                email:
                  encrypt: deterministic
                  read: { support: plaintext }
            """;

    @Test
    void fullPolicyLoadsEveryRuleAsWritten() throws Exception {
        Policy policy = PolicyLoader.load(DEMO);

        assertEquals(DEMO, policy.source());
        assertEquals(Set.of("customer-service"), policy.role("support").orElseThrow().purposes());
        assertEquals(Set.of(), policy.role("analyst").orElseThrow().purposes());
        assertEquals(3, policy.roles().size());

        List<String> names = policy.columns().stream().map(ColumnRule::qualifiedName).toList();
        assertEquals(List.of("customers.email", "customers.card_number", "billing.invoices.amount"), names);

        ColumnRule email = policy.column(null, "customers", "email").orElseThrow();
        assertEquals(new ColumnRule(null, "customers", "email", Encryption.DETERMINISTIC, ColumnType.TEXT,
                Map.of("support", Access.PLAINTEXT, "billing", Access.PLAINTEXT, "analyst", Access.MASKED),
                MaskKind.EMAIL, Set.of("support", "billing"), Set.of("customer-service", "order-processing"), 9),
                email);

        ColumnRule card = policy.column("public", "customers", "card_number").orElseThrow();
        assertEquals(Encryption.RANDOMIZED, card.encryption());
        assertEquals(MaskKind.LAST4, card.mask());
        assertEquals(Set.of("billing"), card.writers());
        assertEquals(Set.of(), card.purposes());
        assertEquals(15, card.line());

        ColumnRule amount = policy.column("billing", "invoices", "amount").orElseThrow();
        assertEquals("billing", amount.schema());
        assertEquals(Encryption.NONE, amount.encryption());
        assertEquals(ColumnType.NUMERIC, amount.type());
        assertNull(amount.mask());
        assertEquals(Map.of("billing", Access.PLAINTEXT, "analyst", Access.DENIED), amount.read());
        assertEquals(Set.of(), amount.writers());
    }

    @Test
    void classpathPolicyInADirectoryResolvesKeysetAndAuditNextToIt() throws Exception {
        Policy policy = PolicyLoader.load(DEMO);
        Path dir = Path.of(getClass().getClassLoader().getResource("policy/demo-policy.yaml").toURI()).getParent();

        assertEquals(dir.resolve("demo-keyset.json"), policy.keysetPath());
        AuditSettings audit = policy.audit();
        assertEquals(dir.resolve("logs/audit.jsonl"), audit.path());
        assertEquals("sync", audit.durability());
        assertEquals("fail-open", audit.onFailure());
        assertTrue(audit.hashRowKeys());
        assertEquals(8L * 1024 * 1024, audit.rotateSizeBytes());
        assertFalse(audit.rotateDaily());
    }

    @Test
    void classpathPolicyInsideAJarKeepsTheKeysetPathAsWritten(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("policies.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
            jarOut.putNextEntry(new JarEntry("jarred/policy.yaml"));
            jarOut.write(SMALL.getBytes(StandardCharsets.UTF_8));
            jarOut.closeEntry();
        }
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(loader);
            Policy policy = PolicyLoader.load("classpath:/jarred/policy.yaml");
            assertEquals(Path.of("keys/k.json"), policy.keysetPath());
            assertEquals(Path.of("warden-audit.jsonl"), policy.audit().path());
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void missingClasspathResourceIsNamed() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load("classpath:policy/nope.yaml"));
        assertTrue(e.getMessage().contains("classpath:policy/nope.yaml"), e.getMessage());
    }

    @Test
    void filePolicyResolvesKeysetAgainstItsDirectoryAndDefaultsAudit(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("policy.yaml");
        Files.writeString(file, SMALL);

        Policy policy = PolicyLoader.load(file.toString());

        assertEquals(file.toString(), policy.source());
        assertEquals(tmp.resolve("keys/k.json"), policy.keysetPath());
        AuditSettings audit = policy.audit();
        assertEquals(tmp.resolve("warden-audit.jsonl"), audit.path());
        assertEquals("async", audit.durability());
        assertEquals("fail-closed", audit.onFailure());
        assertFalse(audit.hashRowKeys());
        assertEquals(64L * 1024 * 1024, audit.rotateSizeBytes());
        assertTrue(audit.rotateDaily());
    }

    @Test
    void missingFileIsNamed(@TempDir Path tmp) {
        String location = tmp.resolve("absent.yaml").toString();
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyLoader.load(location));
        assertTrue(e.getMessage().contains(location) && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void versionIsAShortHashOfTheFileBytesAndChangesWithAnyEdit(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("policy.yaml");
        Files.writeString(file, SMALL);
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))).substring(0, 16);

        Policy first = PolicyLoader.load(file.toString());
        assertEquals(expected, first.version());
        assertEquals(expected, PolicyLoader.parse(SMALL, "policy.yaml", tmp).version());

        Files.writeString(file, SMALL + "# a comment\n");
        assertNotEquals(first.version(), PolicyLoader.load(file.toString()).version());
    }

    @Test
    void parseWithoutBaseDirKeepsPathsAsWritten() throws Exception {
        Policy policy = PolicyLoader.parse(SMALL, "inline", null);
        assertEquals(Path.of("keys/k.json"), policy.keysetPath());
        assertEquals(Path.of("warden-audit.jsonl"), policy.audit().path());
    }

    @Test
    void rulesOnlyPolicyNeedsNoKeyset() throws Exception {
        Policy policy = PolicyLoader.parse("""
                roles: { analyst: }
                tables:
                  customers:
                    email: { encrypt: none, read: { analyst: plaintext } }
                """, "policy.yaml", null);
        assertNull(policy.keysetPath());
        assertEquals(Access.PLAINTEXT, policy.column(null, "customers", "email").orElseThrow().accessFor("analyst", null));
    }

    @Test
    void deniedColumnsIsReadAsWrittenAndRefuseIsTheDefault() throws Exception {
        String rules = """
                roles: { analyst: }
                tables:
                  customers:
                    email: { encrypt: none, read: { analyst: plaintext } }
                """;
        assertEquals(DeniedColumns.REFUSE, PolicyLoader.parse(rules, "policy.yaml", null).deniedColumns());
        assertEquals(DeniedColumns.REFUSE,
                PolicyLoader.parse(rules + "denied-columns: refuse\n", "policy.yaml", null).deniedColumns());
        assertEquals(DeniedColumns.NULL,
                PolicyLoader.parse(rules + "denied-columns: null\n", "policy.yaml", null).deniedColumns());
    }

    @Test
    void filterListIsReadAsWrittenAndItsAbsenceIsTheDefault() throws Exception {
        Policy policy = PolicyLoader.parse("""
                roles: { support: {}, analyst: {} }
                tables:
                  customers:
                    hkid: { encrypt: none, read: { support: plaintext, analyst: masked }, mask: redact,
                            filter: [analyst] }
                    phone: { encrypt: none, read: { support: plaintext }, filter: [] }
                    email: { encrypt: none, read: { support: plaintext } }
                """, "policy.yaml", null);
        assertEquals(Set.of("analyst"), policy.column(null, "customers", "hkid").orElseThrow().filterers());
        assertEquals(Set.of(), policy.column(null, "customers", "phone").orElseThrow().filterers());
        ColumnRule email = policy.column(null, "customers", "email").orElseThrow();
        assertNull(email.filterers());
        assertTrue(email.mayFilter("support", null));
        assertFalse(email.mayFilter("analyst", null));
    }

    @Test
    void everyEncryptionWorksForEveryTypeAndNonTextMayRedactOrNull() throws Exception {
        StringBuilder yaml = new StringBuilder("keyset: k.json\nroles: { analyst: {} }\ntables:\n  t:\n");
        for (ColumnType type : ColumnType.values()) {
            for (Encryption enc : Encryption.values()) {
                for (String mask : List.of("redact", "null")) {
                    String name = type + "_" + enc + "_" + mask;
                    yaml.append("    ").append(name.toLowerCase()).append(": { encrypt: ")
                            .append(enc.name().toLowerCase()).append(", type: ").append(type.name().toLowerCase())
                            .append(", mask: ").append(mask).append(", read: { analyst: masked } }\n");
                }
            }
        }
        Policy policy = PolicyLoader.parse(yaml.toString(), "policy.yaml", null);
        assertEquals(ColumnType.values().length * Encryption.values().length * 2, policy.columns().size());
        ColumnRule bytes = policy.column(null, "t", "bytes_deterministic_null").orElseThrow();
        assertEquals(ColumnType.BYTES, bytes.type());
        assertEquals(Encryption.DETERMINISTIC, bytes.encryption());
        assertEquals(MaskKind.NULL, bytes.mask());
    }
}

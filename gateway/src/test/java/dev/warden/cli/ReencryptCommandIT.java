package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code warden keys reencrypt} and {@code warden keys retire} from the command line, on a real PostgreSQL:
 * a plaintext column put under the policy, then a rotation carried to its end. Output is counts, never values.
 */
class ReencryptCommandIT {

    private static final String[] EMAILS = {"ann@example.com", "bob@example.com", "cid@example.com"};

    private CustomersExample db;
    private Path dir;
    private String out;
    private String err;

    @BeforeEach
    void plaintextEmails() throws Exception {
        db = CustomersExample.create();
        dir = CustomersExample.newPolicyDirectory();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            // email as it stood before Warden: plain text; the rest of the example table is empty
            s.execute("ALTER TABLE customers ALTER COLUMN email TYPE text");
            try (PreparedStatement ps = raw.prepareStatement("INSERT INTO customers (name, email) VALUES (?, ?)")) {
                for (String email : EMAILS) {
                    ps.setString(1, email.substring(0, 3));
                    ps.setString(2, email);
                    ps.executeUpdate();
                }
            }
        }
    }

    private int warden(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        out = o.toString();
        err = e.toString();
        for (String email : EMAILS) {
            assertFalse(out.contains(email) || err.contains(email), "a value printed: " + out + err);
        }
        return code;
    }

    private String[] reencrypt(String... extra) {
        String[] base = {"keys", "reencrypt", "--policy", dir.resolve("policy.yaml").toString(), "--url", db.rawUrl(),
                "--user", EmbeddedPostgres.USER, "--master-key", "file:" + dir.resolve("demo-master-key.txt"),
                "--batch-size", "2"};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void migratesPlaintextThenFinishesARotation() throws Exception {
        assertEquals(1, warden(reencrypt("--table", "customers")), out + err);
        assertTrue(err.contains("--from-plaintext email"), err);

        assertEquals(0, warden(reencrypt("--table", "customers", "--from-plaintext", "customers.email")), err);
        assertTrue(out.contains("customers: 3 rows scanned, 3 rows updated in 2 batch(es)"), out);
        // the embedded server's user is a superuser, which Warden cannot stop: said once per run
        assertEquals(1, err.split("warden keys reencrypt: warning: Warden: the database user 'postgres' is a"
                + " superuser", -1).length - 1, err);
        assertTrue(out.contains("email: 0 re-encrypted, 3 encrypted from plaintext"), out);
        // through a copy, as an application would be a process of its own: this JVM's engine would hold the trail
        assertEmailsReadBackAndNoPlaintextAtRest(CustomersExample.copyOfPolicyDirectory(dir));

        assertEquals(0, warden(reencrypt("--from-plaintext", "email")), err);  // one table by default: customers
        assertTrue(out.contains("0 rows updated"), out);

        String keyset = dir.resolve("demo-keyset.json").toString();
        String masterKey = "file:" + dir.resolve("demo-master-key.txt");
        assertEquals(0, warden("keys", "rotate", "--keyset", keyset, "--master-key", masterKey), err);
        assertEquals(0, warden(reencrypt("--dry-run")), err);
        assertTrue(out.contains("dry run, 3 rows scanned, 3 rows to update"), out);
        assertEquals(0, warden(reencrypt()), err);
        assertTrue(out.contains("email: 3 re-encrypted, 0 encrypted from plaintext, 0 already under the primary key"), out);

        assertEquals(2, warden("keys", "retire", "--keyset", keyset, "--master-key", masterKey));
        assertTrue(err.contains("--yes"), err);
        assertEquals(0, warden("keys", "retire", "--keyset", keyset, "--master-key", masterKey, "--yes"), err);
        assertTrue(out.contains("retired 2 old data key(s)"), out);

        // every run is in the policy's trail, the failed one included, and the trail verifies
        List<AuditEvent> runs = reencryptionEvents(dir);
        assertEquals(5, runs.size(), "one event per run");
        assertEquals("XX001", runs.get(0).sqlState());
        assertTrue(runs.get(1).reason().startsWith("completed: 3 rows scanned, 3 rows updated in 2 batch(es)"),
                runs.get(1).reason());
        assertEquals(List.of("customers.email", "customers.phone", "customers.card_number", "customers.birth_date",
                "customers.credit_limit"), runs.get(1).columnsWritten());
        assertTrue(runs.get(3).reason().startsWith("dry run"), runs.get(3).reason());
        assertTrue(runs.get(4).reason().contains("email: 3 re-encrypted (from daead "), runs.get(4).reason());
        assertEquals(0, warden("audit", "verify", "--keyset", keyset, "--master-key", masterKey, dir.toString()), out + err);
        assertNoEmailIn(dir);
        // a fresh copy: an engine keeps the keyset it opened, so the changed file needs a new one (a restart)
        assertEmailsReadBackAndNoPlaintextAtRest(CustomersExample.copyOfPolicyDirectory(dir));
    }

    @Test
    void whileARunningWardenHoldsThePolicysTrailARunNeedsATrailOfItsOwn() throws Exception {
        try (Connection app = db.as(dir, "support", "customer-service")) {
            // this JVM's engine now writes the policy's trail, as a running gateway or application would
            assertTrue(app.isValid(1));
        }
        assertEquals(2, warden(reencrypt("--from-plaintext", "customers.email")));
        assertTrue(err.contains("cannot be written") && err.contains("--audit-trail FILE"), err);
        try (Connection raw = db.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT count(*) FROM customers WHERE email LIKE '%@example.com'")) {
            assertTrue(rs.next());
            assertEquals(EMAILS.length, rs.getInt(1), "nothing was re-encrypted");
        }

        Path own = Files.createTempDirectory("warden-reencrypt-trail");
        assertEquals(0, warden(reencrypt("--from-plaintext", "customers.email", "--audit-trail",
                own.resolve("keys.jsonl").toString())), err);
        assertTrue(out.contains("recorded in the audit trail " + own.resolve("keys.jsonl")), out);
        List<AuditEvent> runs = reencryptionEvents(own);
        assertEquals(1, runs.size());
        assertEquals(3, runs.get(0).rows());
        assertEquals(0, warden("audit", "verify", "--keyset", dir.resolve("demo-keyset.json").toString(),
                "--master-key", "file:" + dir.resolve("demo-master-key.txt"), own.toString()), out + err);
        assertNoEmailIn(own);
    }

    private static List<AuditEvent> reencryptionEvents(Path directory) throws Exception {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(directory))).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.REENCRYPTION.equals(e.type())).toList();
    }

    private static void assertNoEmailIn(Path trailDirectory) throws Exception {
        for (Path f : AuditTrailFiles.expand(List.of(trailDirectory))) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            for (String email : EMAILS) assertFalse(text.contains(email), "a value in " + f);
        }
    }

    @Test
    void refusesAWardenUrlAndALiteralPassword() {
        String[] args = reencrypt();
        args[5] = db.wardenUrl();
        assertEquals(2, warden(args));
        assertTrue(err.contains("plain JDBC URL"), err);
        assertEquals(2, warden(reencrypt("--password", "secret")));
        assertTrue(err.contains("env:NAME or file:PATH"), err);
        assertEquals(2, warden(reencrypt("--from-plaintext", "orders.total")));
    }

    private void assertEmailsReadBackAndNoPlaintextAtRest(Path policy) throws Exception {
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT email FROM customers")) {
            while (rs.next()) {
                for (String email : EMAILS) assertFalse(rs.getString(1).contains(email));
            }
        }
        try (Connection support = db.as(policy, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement("SELECT name FROM customers WHERE email = ?")) {
            for (String email : EMAILS) {
                ps.setString(1, email);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next(), email.substring(0, 3));
                    assertEquals(email.substring(0, 3), rs.getString(1));
                    assertFalse(rs.next());
                }
            }
        }
    }
}

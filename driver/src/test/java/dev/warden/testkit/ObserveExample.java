package dev.warden.testkit;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Predicate;

/**
 * A legacy application's database before migration, for observe mode: {@code customers} with its personal data in
 * plaintext text columns, and a policy over it (the example's keyset and master key) that enforce mode would apply:
 * support reads and writes email, phone and hkid; analyst sees email masked and may not read phone; hkid is
 * rules-only. One instance per test: a fresh database and policy directory.
 */
public final class ObserveExample {

    public static final String EMAIL = "ann.lee@example.com";
    public static final String PHONE = "+852 5555 0123";
    public static final String HKID = "B765432(1)";

    /** The policy, before the mode lines (at the end, so that rules keep their line numbers in either mode). */
    private static final String POLICY = """
            keyset: demo-keyset.json
            roles:
              support: { purposes: [customer-service] }
              analyst: {}
            tables:
              customers:
                email:
                  encrypt: deterministic
                  read: { support: plaintext, analyst: masked }
                  mask: email
                  write: [support]
                phone:
                  encrypt: deterministic
                  read: { support: plaintext }
                  mask: last4
                  write: [support]
                hkid:
                  encrypt: none
                  read: { support: plaintext }
                  mask: last4
                  write: [support]
            audit:
              path: warden-audit.jsonl
            """;

    private final CustomersExample db;
    private final Path dir;

    private ObserveExample(CustomersExample db, Path dir) {
        this.db = db;
        this.dir = dir;
    }

    /**
     * A fresh plaintext database and a policy directory whose policy ends with {@code tail} (e.g.
     * {@code "mode: observe\n"}, or {@code ""} for enforce mode).
     */
    public static ObserveExample create(String tail) throws SQLException {
        CustomersExample db = CustomersExample.create();
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("DROP TABLE orders");
            s.execute("DROP TABLE customers");
            // the shapes of a database before migration: personal data in plaintext text columns
            s.execute("CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, phone text,"
                    + " hkid text, country text)");
            s.execute("CREATE TABLE notes (id int, val text)");
        }
        Path dir = CustomersExample.newPolicyDirectory();
        try {
            Files.writeString(dir.resolve("policy.yaml"), POLICY + tail);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ObserveExample(db, dir);
    }

    public CustomersExample db() {
        return db;
    }

    public Path policyDirectory() {
        return dir;
    }

    public Path policyFile() {
        return dir.resolve("policy.yaml");
    }

    /** A {@code jdbc:warden:} connection acting for {@code role} (support acts for customer-service). */
    public Connection as(String role) throws SQLException {
        return db.as(dir, role, role.equals("support") ? "customer-service" : null);
    }

    /** The statement events of the trail, as written so far. */
    public List<AuditEvent> statementEvents() throws IOException {
        return events().stream().filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
    }

    /** Every event of the trail, as written so far. */
    public List<AuditEvent> events() throws IOException {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream().map(ChainedEvent::event)
                .toList();
    }

    /**
     * The statement event of {@code fingerprint} (the trail is written asynchronously: polled for up to about 5 s),
     * the last one when the statement ran more than once.
     */
    public AuditEvent awaitEvent(String fingerprint) throws Exception {
        return awaitEvent(e -> fingerprint.equals(e.fingerprint()), fingerprint);
    }

    /** The last statement event matching {@code which} (polled for up to about 5 s). */
    public AuditEvent awaitEvent(Predicate<AuditEvent> which, String what) throws Exception {
        for (int attempt = 0; attempt < 250; attempt++) {
            List<AuditEvent> found = statementEvents().stream().filter(which).toList();
            if (!found.isEmpty()) return found.get(found.size() - 1);
            Thread.sleep(20);
        }
        throw new AssertionError("no audit event for " + what + " in " + statementEvents());
    }
}

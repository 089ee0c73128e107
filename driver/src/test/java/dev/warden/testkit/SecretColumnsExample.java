package dev.warden.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditTrailFiles;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.ChainedEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The customers example with two more protected columns holding one seeded secret each, for the adversarial
 * suites: {@code ssn} (encrypted deterministic: billing reads it, support sees it masked) and {@code hkid}
 * (rules-only, {@code encrypt: none}, plaintext in the database: support reads it, billing sees it masked), plus a
 * plain table {@code notes} an attacker could copy values into. Analyst may read neither.
 */
public final class SecretColumnsExample {

    public static final String SSN = "731-55-8202";
    public static final String HKID = "B765432(1)";
    public static final String EMAIL = "ann.lee@example.com";

    private final CustomersExample db;
    private final Path dir;
    private final int id;

    private SecretColumnsExample(CustomersExample db, Path dir, int id) {
        this.db = db;
        this.dir = dir;
        this.id = id;
    }

    /** A fresh database and policy directory, with Ann's row holding both secrets. */
    public static SecretColumnsExample create() throws SQLException {
        CustomersExample db = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectoryWith("    credit_limit:\n", """
                    ssn:
                      encrypt: deterministic
                      read: { billing: plaintext, support: masked }
                      mask: last4
                      write: [billing]
                    hkid:
                      encrypt: none
                      read: { support: plaintext, billing: masked }
                      mask: last4
                      write: [support]
                    credit_limit:
                """);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN ssn bytea, ADD COLUMN hkid text");
            s.execute("CREATE TABLE notes (id int, val text, b bytea)");
        }
        int id;
        try (Connection support = db.as(dir, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, hkid) VALUES ('Ann', ?, ?) RETURNING id")) {
            ps.setString(1, EMAIL);
            ps.setString(2, HKID);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                id = rs.getInt(1);
            }
        }
        try (Connection billing = db.as(dir, "billing", "customer-service");
             PreparedStatement ps = billing.prepareStatement("UPDATE customers SET ssn = ? WHERE id = ?")) {
            ps.setString(1, SSN);
            ps.setInt(2, id);
            assertEquals(1, ps.executeUpdate());
        }
        return new SecretColumnsExample(db, dir, id);
    }

    public CustomersExample db() {
        return db;
    }

    public Path policyDirectory() {
        return dir;
    }

    /** Ann's row. */
    public int id() {
        return id;
    }

    /** The statement events of this example's audit trail, as written so far. */
    public List<AuditEvent> statementEvents() throws Exception {
        return AuditTrailReader.readFiles(AuditTrailFiles.expand(List.of(dir))).stream().map(ChainedEvent::event)
                .filter(e -> AuditEvent.STATEMENT.equals(e.type())).toList();
    }

    /**
     * The number of statement events once the asynchronous trail has written all it was given: the count has
     * not changed for 300 ms (a writer starved on a loaded machine can pause longer than one short poll).
     */
    public int settledEventCount() throws Exception {
        int count = statementEvents().size();
        int unchangedPolls = 0;
        for (int attempt = 0; attempt < 250 && unchangedPolls < 6; attempt++) {
            Thread.sleep(50);
            int now = statementEvents().size();
            unchangedPolls = now == count ? unchangedPolls + 1 : 0;
            count = now;
        }
        return count;
    }

    /** The statement events once there are at least {@code expected} (or after about 2 s). */
    public List<AuditEvent> awaitEvents(int expected) throws Exception {
        List<AuditEvent> events = List.of();
        for (int attempt = 0; attempt < 100; attempt++) {
            events = statementEvents();
            if (events.size() >= expected) {
                Thread.sleep(100);  // a second event for the same statement would show up now
                return statementEvents();
            }
            Thread.sleep(20);
        }
        return events;
    }

    /** Every line of the trail, as text. */
    public String trail() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path f : AuditTrailFiles.expand(List.of(dir))) all.append(Files.readString(f, StandardCharsets.UTF_8));
        return all.toString();
    }

    /** The purpose each role of the example acts for in these suites. */
    public static String purposeOf(String role) {
        return role.equals("analyst") ? null : "customer-service";
    }
}

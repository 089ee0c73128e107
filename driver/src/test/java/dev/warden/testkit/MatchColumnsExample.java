package dev.warden.testkit;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The customers example with two match columns ({@code match: true}): {@code email} (deterministic) and a
 * randomized {@code nickname} that only {@code support} may filter on; a keyset with a match key.
 */
public final class MatchColumnsExample {

    public static final String POLICY = """
            keyset: demo-keyset.json
            roles:
              support: { purposes: [customer-service] }
              billing: {}
            tables:
              customers:
                email:
                  encrypt: deterministic
                  read: { support: plaintext, billing: plaintext }
                  write: [support]
                  match: true
                nickname:
                  encrypt: randomized
                  read: { support: plaintext, billing: masked }
                  mask: redact
                  write: [support]
                  filter: [support]
                  match: true
            audit:
              path: warden-audit.jsonl
            """;

    private MatchColumnsExample() {}

    /** A private policy directory with {@code text} as its policy and the demo keyset given a match key. */
    public static Path policyDirectory(String text) throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.writeString(dir.resolve("policy.yaml"), text);
        MasterKey master = masterKey(dir);
        WardenKeyset.read(dir.resolve("demo-keyset.json"), master).withMatchKey()
                .write(dir.resolve("demo-keyset.json"), master);
        return dir;
    }

    public static MasterKey masterKey(Path dir) throws Exception {
        return MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt"));
    }

    public static WardenKeyset keyset(Path dir) throws Exception {
        return WardenKeyset.read(dir.resolve("demo-keyset.json"), masterKey(dir));
    }

    /** Adds {@code nickname} to the example's table, without companions. */
    public static void addNickname(CustomersExample db) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN nickname bytea");
        }
    }

    /** Adds {@code nickname} and the companions {@code warden schema} would add. */
    public static void addNicknameAndCompanions(CustomersExample db) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN nickname bytea, ADD COLUMN email_match bigint[],"
                    + " ADD COLUMN nickname_match bigint[]");
        }
    }

    /** Adds the companions {@code warden schema} would add, to a table that has {@code nickname} already. */
    public static void addNicknameCompanionsOnly(CustomersExample db) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE customers ADD COLUMN email_match bigint[], ADD COLUMN nickname_match bigint[]");
        }
    }

    /**
     * Creates {@code twin} (plain text columns) and writes {@code rows} customers into it and, through Warden as
     * {@code support}, into {@code customers}: every row is a candidate of {@code 'Chan%'} (the index folds case)
     * and only each 9th matches it; each 37th nickname (from the 6th) is NULL.
     */
    public static void seedDenseChanTwin(CustomersExample db, Path policy, int rows) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE twin (id int PRIMARY KEY, name text, email text, nickname text)");
        }
        try (Connection support = db.as(policy, "support", null);
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)");
             Connection raw = db.raw();
             PreparedStatement twin = raw.prepareStatement(
                     "INSERT INTO twin (id, name, email, nickname) VALUES (?, ?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                for (PreparedStatement p : new PreparedStatement[] {ps, twin}) {
                    p.setInt(1, i + 1);
                    p.setString(2, "n" + i);
                    p.setString(3, "e" + i + "@example.hk");
                    p.setString(4, i % 37 == 5 ? null : (i % 9 == 0 ? "Chan " : "chan ") + i);
                    p.addBatch();
                }
            }
            ps.executeBatch();
            twin.executeBatch();
        }
    }
}

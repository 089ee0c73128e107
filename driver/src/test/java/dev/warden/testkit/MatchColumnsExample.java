package dev.warden.testkit;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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
}

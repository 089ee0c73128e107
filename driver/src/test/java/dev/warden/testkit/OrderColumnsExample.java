package dev.warden.testkit;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.CompanionSchema;
import dev.warden.policy.PolicyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A table {@code ledger} with an order index ({@code order: true}) on one encrypted column of every orderable type,
 * randomized and deterministic, in the customers example's database; a plaintext twin {@code ledger_twin} of the same
 * shape; and a keyset with an order key. {@code support} may filter on every column; {@code billing} reads
 * {@code amount} in plaintext but may not filter on it.
 */
public final class OrderColumnsExample {

    public static final String POLICY = """
            keyset: demo-keyset.json
            roles:
              support: { purposes: [customer-service] }
              billing: {}
            tables:
              ledger:
                amount:
                  encrypt: randomized
                  type: integer
                  read: { support: plaintext, billing: plaintext }
                  write: [support]
                  filter: [support]
                  order: true
                balance:
                  encrypt: deterministic
                  type: bigint
                  read: { support: plaintext }
                  write: [support]
                  order: filter
                price:
                  encrypt: randomized
                  type: numeric
                  read: { support: plaintext }
                  write: [support]
                  filter: [support]
                  order: true
                born:
                  encrypt: randomized
                  type: date
                  read: { support: plaintext }
                  write: [support]
                  filter: [support]
                  order: true
                created:
                  encrypt: randomized
                  type: timestamp
                  read: { support: plaintext }
                  write: [support]
                  filter: [support]
                  order: true
                label:
                  encrypt: randomized
                  read: { support: plaintext }
                  write: [support]
                  filter: [support]
                  order: true
                note:
                  encrypt: randomized
                  read: { support: plaintext }
                  write: [support]
            audit:
              path: warden-audit.jsonl
            """;

    /** The columns with an order index, in the table's order. */
    public static final String[] ORDERED = {"amount", "balance", "price", "born", "created", "label"};

    private OrderColumnsExample() {}

    /** A private policy directory with {@code text} as its policy and the demo keyset given an order key. */
    public static Path policyDirectory(String text) throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();
        Files.writeString(dir.resolve("policy.yaml"), text);
        MasterKey master = MasterKey.resolve("file:" + dir.resolve("demo-master-key.txt"));
        WardenKeyset.read(dir.resolve("demo-keyset.json"), master).withOrderKey()
                .write(dir.resolve("demo-keyset.json"), master);
        return dir;
    }

    /** Creates {@code ledger} and its plaintext twin, without companions. */
    public static void createTables(CustomersExample db) throws SQLException {
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE ledger (id int PRIMARY KEY, amount bytea, balance bytea, price bytea, born bytea,"
                    + " created bytea, label text, note bytea)");
            s.execute("CREATE TABLE ledger_twin (id int PRIMARY KEY, amount integer, balance bigint, price numeric,"
                    + " born date, created timestamp, label text COLLATE \"C\", note text)");
        }
    }

    /** Runs what {@code warden schema --apply} runs for {@code policyDirectory}'s policy. */
    public static void applySchema(CustomersExample db, Path policyDirectory) throws Exception {
        var policy = PolicyLoader.load(policyDirectory.resolve("policy.yaml").toString());
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            for (String sql : CompanionSchema.statements(policy)) s.execute(sql);
        }
    }

    /** {@link #createTables} and {@link #applySchema}. */
    public static void createWithCompanions(CustomersExample db, Path policyDirectory) throws Exception {
        createTables(db);
        applySchema(db, policyDirectory);
    }
}

package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code warden keys add-match-key} adds a match key to a keyset created before match indexes (once), and
 * {@code warden schema} prints the DDL of the policy's companion columns and, with {@code --apply}, creates them.
 */
class SchemaAndMatchKeyCommandIT {

    private record Run(int code, String out, String err) {}

    private static Run warden(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        CommandLine cli = new CommandLine(new WardenCommand());
        cli.setOut(new PrintWriter(o, true));
        cli.setErr(new PrintWriter(e, true));
        int code = cli.execute(args);
        return new Run(code, o.toString(), e.toString());
    }

    @Test
    void addOrderKeyAddsOnlyTheOrderKeyOnce() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();  // the demo keyset: no order key
        String keyset = dir.resolve("demo-keyset.json").toString();
        String master = "file:" + dir.resolve("demo-master-key.txt");
        MasterKey key = MasterKey.resolve(master);
        WardenKeyset before = WardenKeyset.read(Path.of(keyset), key);
        assertFalse(before.hasOrderKey());

        Run added = warden("keys", "add-order-key", "--keyset", keyset, "--master-key", master);
        assertEquals(0, added.code(), added.err());
        assertTrue(added.out().contains("added an order key"), added.out());
        WardenKeyset after = WardenKeyset.read(Path.of(keyset), key);
        assertTrue(after.hasOrderKey());
        assertTrue(after.describeKeys().startsWith(before.describeKeys() + ", order "), "no other key changed");
        assertTrue(after.orderIndex("customers.birth_date", dev.warden.crypto.LogicalType.DATE).leftSize() > 0);
        assertNull(before.whyNotSuccessor(after), "the running engine may take the keyset with the new key");
        Run again = warden("keys", "add-order-key", "--keyset", keyset, "--master-key", master);
        assertEquals(0, again.code());
        assertTrue(again.out().contains("already holds an order key"), again.out());
        Run wrong = warden("keys", "add-order-key", "--keyset", dir.resolve("missing.json").toString(),
                "--master-key", master);
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("warden keys add-order-key:"), wrong.err());
    }

    @Test
    void addMatchKeyThenSchemaApply() throws Exception {
        Path dir = CustomersExample.newPolicyDirectory();  // the demo keyset: no match key
        Files.writeString(dir.resolve("policy.yaml"), MatchColumnsExample.POLICY);
        String keyset = dir.resolve("demo-keyset.json").toString();
        String master = "file:" + dir.resolve("demo-master-key.txt");
        MasterKey key = MasterKey.resolve(master);
        String before = WardenKeyset.read(Path.of(keyset), key).describeKeys();

        Run added = warden("keys", "add-match-key", "--keyset", keyset, "--master-key", master);
        assertEquals(0, added.code(), added.err());
        assertTrue(added.out().contains("added a match key"), added.out());
        WardenKeyset after = WardenKeyset.read(Path.of(keyset), key);
        assertTrue(after.hasMatchKey());
        assertTrue(after.describeKeys().startsWith(before + ", match "), "no other key changed");
        Run again = warden("keys", "add-match-key", "--keyset", keyset, "--master-key", master);
        assertEquals(0, again.code());
        assertTrue(again.out().contains("already holds a match key"), again.out());

        String policy = dir.resolve("policy.yaml").toString();
        Run printed = warden("schema", "--policy", policy);
        assertEquals(0, printed.code(), printed.err());
        assertTrue(printed.out().contains("ALTER TABLE customers ADD COLUMN IF NOT EXISTS email_match bigint[];"),
                printed.out());
        assertTrue(printed.out().contains("CREATE INDEX IF NOT EXISTS customers_nickname_match_idx ON customers USING"
                + " gin (nickname_match);"), printed.out());

        CustomersExample db = CustomersExample.create();
        MatchColumnsExample.addNickname(db);
        Run applied = warden("schema", "--policy", policy, "--url", db.rawUrl(), "--user", "postgres", "--apply");
        assertEquals(0, applied.code(), applied.err());
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.columns WHERE table_name ="
                     + " 'customers' AND column_name IN ('email_match', 'nickname_match') AND data_type = 'ARRAY'")) {
            rs.next();
            assertEquals(2, rs.getInt(1));
        }
        Run noUrl = warden("schema", "--policy", policy, "--apply");
        assertEquals(2, noUrl.code());
        assertFalse(noUrl.err().isEmpty());
    }
}

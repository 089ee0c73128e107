package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.PolicyLoader;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MatchColumnsExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Turning {@code match: true} on for columns that already hold data: {@code warden schema}'s DDL adds the
 * companions and their GIN indexes (idempotently), and {@code warden keys reencrypt} fills the companions of
 * existing rows, both of rows encrypted before and of plaintext being newly protected ({@code --from-plaintext}),
 * and a second run finds nothing to do.
 */
class MatchCompanionFillIT {

    @Test
    void theSchemaDdlAddsCompanionsAndReencryptFillsThem() throws Exception {
        CustomersExample db = CustomersExample.create();
        MatchColumnsExample.addNickname(db);
        Path dir = MatchColumnsExample.policyDirectory(MatchColumnsExample.POLICY);
        WardenKeyset keyset = MatchColumnsExample.keyset(dir);
        // rows from before: email encrypted (deterministic, as Warden wrote it), nickname still plaintext
        try (Connection raw = db.raw(); PreparedStatement ps = raw.prepareStatement(
                "INSERT INTO customers (name, email, nickname) VALUES (?, ?, ?)")) {
            String[][] rows = {{"a", "Chan@Example.HK", "Ah Chan"}, {"b", "wong@example.com", null}, {"c", null, "Siu"}};
            for (String[] row : rows) {
                ps.setString(1, row[0]);
                ps.setBytes(2, row[1] == null ? null
                        : keyset.deterministic("customers.email").encrypt(row[1].getBytes(StandardCharsets.UTF_8)));
                ps.setBytes(3, row[2] == null ? null : row[2].getBytes(StandardCharsets.UTF_8));
                ps.executeUpdate();
            }
        }
        List<String> ddl = CompanionSchema.statements(PolicyLoader.load(dir.resolve("policy.yaml").toString()));
        assertEquals(List.of(
                "ALTER TABLE customers ADD COLUMN IF NOT EXISTS email_match bigint[]",
                "CREATE INDEX IF NOT EXISTS customers_email_match_idx ON customers USING gin (email_match)",
                "CREATE INDEX IF NOT EXISTS customers_email_match_unindexed_idx ON customers (email_match)"
                        + " WHERE email_match IS NULL AND email IS NOT NULL",
                "ALTER TABLE customers ADD COLUMN IF NOT EXISTS nickname_match bigint[]",
                "CREATE INDEX IF NOT EXISTS customers_nickname_match_idx ON customers USING gin (nickname_match)",
                "CREATE INDEX IF NOT EXISTS customers_nickname_match_unindexed_idx ON customers (nickname_match)"
                        + " WHERE nickname_match IS NULL AND nickname IS NOT NULL"), ddl);
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            for (int twice = 0; twice < 2; twice++) for (String sql : ddl) s.execute(sql);  // idempotent
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_indexes WHERE tablename = 'customers'"
                    + " AND indexdef LIKE '%USING gin%'")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
        }
        Reencryption reencryption = Reencryption.open(new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt")));
        Reencryption.Result first = reencryption.run(db.raw(),
                new Reencryption.Options("customers", Set.of("nickname"), 2, false), null);
        assertEquals(3, first.rowsUpdated());
        assertEquals(2, first.columns().stream().filter(c -> c.column().equals("email")).findFirst().orElseThrow().indexed());
        assertEquals(2, first.columns().stream().filter(c -> c.column().equals("nickname")).findFirst().orElseThrow().indexed());
        Reencryption.Result again = reencryption.run(db.raw(),
                new Reencryption.Options("customers", Set.of("nickname"), 2, false), null);
        assertEquals(0, again.rowsUpdated(), "a second run finds every companion in step");

        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, email_match, nickname_match FROM customers ORDER BY name")) {
            String[][] expected = {{"a", "Chan@Example.HK", "Ah Chan"}, {"b", "wong@example.com", null}, {"c", null, "Siu"}};
            for (String[] row : expected) {
                assertTrue(rs.next());
                assertEquals(row[0], rs.getString(1));
                check(keyset, "customers.email", row[1], rs.getArray(2));
                check(keyset, "customers.nickname", row[2], rs.getArray(3));
            }
        }
    }

    private static void check(WardenKeyset keyset, String column, String value, Array stored) throws Exception {
        if (value == null) {
            assertNull(stored, column);
            return;
        }
        long[] tokens = Arrays.stream((Long[]) stored.getArray()).mapToLong(Long::longValue).sorted().toArray();
        assertArrayEquals(keyset.matchIndex(column).valueTokens(value), tokens, column);
    }
}

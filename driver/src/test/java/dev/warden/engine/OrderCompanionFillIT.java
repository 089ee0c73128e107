package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policy.PolicyLoader;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.OrderColumnsExample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Turning {@code order: true} on for columns that hold data: {@code warden schema}'s DDL adds the companions and
 * {@code warden.ore_compare} (idempotently), {@code warden keys reencrypt --from-plaintext} encrypts the plaintext
 * and fills the companions, ranges through Warden then answer, and a second run finds every companion in step.
 */
class OrderCompanionFillIT {

    @Test
    void reencryptFromPlaintextFillsTheOrderIndex() throws Exception {
        CustomersExample db = CustomersExample.create();
        Path dir = OrderColumnsExample.policyDirectory(OrderColumnsExample.POLICY);
        OrderColumnsExample.createTables(db);
        try (Connection raw = db.raw(); PreparedStatement ps = raw.prepareStatement(
                "INSERT INTO ledger (id, amount, label) VALUES (?, ?, ?)")) {
            Object[][] rows = {{1, "-3", "b"}, {2, "10", null}, {3, null, "a"}, {4, "7", "c"}};
            for (Object[] row : rows) {
                ps.setInt(1, (Integer) row[0]);
                ps.setBytes(2, row[1] == null ? null : ((String) row[1]).getBytes(StandardCharsets.UTF_8));
                ps.setString(3, (String) row[2]);
                ps.executeUpdate();
            }
        }
        List<String> ddl = CompanionSchema.statements(PolicyLoader.load(dir.resolve("policy.yaml").toString()));
        assertTrue(ddl.contains("ALTER TABLE ledger ADD COLUMN IF NOT EXISTS amount_order bytea"), ddl.toString());
        assertTrue(ddl.contains(CompanionSchema.PGCRYPTO), ddl.toString());
        assertTrue(ddl.stream().anyMatch(sql -> sql.startsWith("CREATE OR REPLACE FUNCTION warden.ore_compare")));
        try (Connection raw = db.raw(); Statement s = raw.createStatement()) {
            for (int twice = 0; twice < 2; twice++) for (String sql : ddl) s.execute(sql);  // idempotent
        }
        Reencryption reencryption = Reencryption.open(new EngineConfig(dir.resolve("policy.yaml").toString(),
                "file:" + dir.resolve("demo-master-key.txt")));
        Reencryption.Result first = reencryption.run(db.raw(),
                new Reencryption.Options("ledger", Set.of("amount", "label"), 2, false), null);
        assertEquals(4, first.rowsUpdated());
        assertEquals(3, first.columns().stream().filter(c -> c.column().equals("amount")).findFirst().orElseThrow()
                .indexed());
        Reencryption.Result again = reencryption.run(db.raw(),
                new Reencryption.Options("ledger", Set.of(), 2, false), null);
        assertEquals(0, again.rowsUpdated(), "a second run finds every companion in step");
        try (Connection raw = db.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT amount_order, label_order FROM ledger WHERE id = 3")) {
            rs.next();
            assertNull(rs.getBytes(1), "NULL stays NULL");
            assertEquals(17 + 64 * 15, rs.getBytes(2).length);
        }
        try (Connection support = db.as(dir, "support", null); Statement s = support.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM ledger WHERE amount BETWEEN -3 AND 8 ORDER BY id")) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) ids.add(rs.getInt(1));
            assertEquals(List.of(1, 4), ids);
        }
    }
}

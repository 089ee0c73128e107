package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code denied-columns: null} through the gateway: the gateway builds its rows from the driver's result set, so a
 * column the user's role may not read goes out as a NULL field (length -1) in text and binary results alike,
 * described in RowDescription with the type a reader of the column sees; other uses of it are refused with 42501.
 * Runs in both session-io modes (see the gateway pom). On the customers example: ann (analyst) may not read
 * {@code phone} nor {@code card_number}, sam (support) may not read {@code credit_limit}.
 */
class GatewayDeniedColumnsIT {

    private static final String PHONE = "+85291234567";
    private static final String CARD = "4000056655665556";
    private static final String LIMIT = "12345.67";

    static CustomersExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        Path dir = CustomersExample.newPolicyDirectoryWith("keyset: demo-keyset.json\n",
                "keyset: demo-keyset.json\ndenied-columns: null\n");
        try (Connection support = example.as(dir, "support", "customer-service");
             PreparedStatement ps = support.prepareStatement(
                     "INSERT INTO customers (name, email, phone, birth_date) VALUES ('Jane', ?, ?, ?)")) {
            ps.setString(1, "gw.jane@example.com");
            ps.setString(2, PHONE);
            ps.setObject(3, LocalDate.of(1980, 2, 29));
            ps.executeUpdate();
        }
        try (Connection billing = example.as(dir, "billing", "order-processing");
             PreparedStatement ps = billing.prepareStatement("UPDATE customers SET card_number = ?, credit_limit = ?")) {
            ps.setString(1, CARD);
            ps.setBigDecimal(2, new BigDecimal(LIMIT));
            ps.executeUpdate();
        }
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                dir.resolve("policy.yaml").toString(), "file:" + dir.resolve("demo-master-key.txt"), null, false,
                false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("sam", new GatewayUser("sam", pw, "support", "customer-service", Set.of()),
                        "bill", new GatewayUser("bill", pw, "billing", "order-processing", Set.of()),
                        "ann", new GatewayUser("ann", pw, "analyst", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static Connection jdbc(String user, String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw" + (settings.isEmpty() ? "" : "&" + settings));
    }

    private static GatewayFixture.Result psql(String user, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/psql", "-X", "-At", "-h", "127.0.0.1", "-p",
                String.valueOf(server.port()), "-U", user, "-d", "app", "-P", "null=<null>"));
        cmd.addAll(List.of(args));
        return GatewayFixture.run(cmd, null, Map.of("PGPASSWORD", "pw"), 60);
    }

    @Test
    void psqlShowsADeniedColumnAsNullAndIsRefusedOtherUses() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var ann = psql("ann", "-c", "select name, phone, card_number, email, country from customers");
        assertEquals(0, ann.exit(), ann.err());
        assertEquals("Jane|<null>|<null>|g******@example.com|<null>", ann.out().strip());
        var sam = psql("sam", "-c", "select phone, credit_limit from customers");
        assertEquals(PHONE + "|<null>", sam.out().strip(), sam.err());

        var refused = psql("ann", "-v", "VERBOSITY=verbose", "-c", "select name from customers order by phone");
        assertTrue(refused.err().contains("42501") && refused.err().contains("customers.phone"), refused.err());
        refused = psql("ann", "-v", "VERBOSITY=verbose", "-c", "select coalesce(card_number, 'none') from customers");
        assertTrue(refused.err().contains("42501") && refused.err().contains("customers.card_number"), refused.err());
        for (var r : List.of(ann, sam, refused)) {
            assertFalse((r.out() + r.err()).contains(CARD) || (r.out() + r.err()).contains(LIMIT), r.out() + r.err());
        }
        assertFalse(ann.out().contains(PHONE));
    }

    /** Text results (default), binary from the first execution, and the simple protocol. */
    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1", "prepareThreshold=1&binaryTransfer=true",
            "preferQueryMode=simple"})
    void pgjdbcReadsNullWithTheColumnsTypeUnchanged(String settings) throws Exception {
        for (int run = 0; run < 3; run++) {  // a prepared statement turns server-prepared (and binary) on reuse
            try (Connection ann = jdbc("ann", settings);
                 PreparedStatement ps = ann.prepareStatement("SELECT * FROM customers WHERE name = ?")) {
                ps.setString(1, "Jane");
                for (int again = 0; again < 3; again++) {
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertNull(rs.getString("phone"));
                        assertTrue(rs.wasNull());
                        assertNull(rs.getBytes("card_number"));
                        assertTrue(rs.wasNull());
                        assertEquals("****", rs.getString("credit_limit"), "masked for analyst");
                        assertEquals("Jane", rs.getString("name"));
                        assertFalse(rs.next());
                    }
                }
            }
        }
        try (Connection sam = jdbc("sam", settings);
             PreparedStatement ps = sam.prepareStatement("SELECT * FROM customers WHERE name = ?")) {
            ps.setString(1, "Jane");
            for (int again = 0; again < 3; again++) {
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(PHONE, rs.getString("phone"));
                    assertNull(rs.getBigDecimal("credit_limit"));
                    assertTrue(rs.wasNull());
                    assertEquals(0.0, rs.getDouble("credit_limit"));
                    assertTrue(rs.wasNull());
                }
            }
        }
        // described as for a role that reads it: sam's credit_limit as bill's, ann's phone as sam's
        assertSameDescription(jdbc("sam", settings), jdbc("bill", settings), "credit_limit", "numeric");
        assertSameDescription(jdbc("ann", settings), jdbc("sam", settings), "phone", "text");
    }

    private static void assertSameDescription(Connection narrow, Connection wide, String column, String type)
            throws SQLException {
        try (narrow; wide;
             PreparedStatement n = narrow.prepareStatement("SELECT * FROM customers");
             PreparedStatement w = wide.prepareStatement("SELECT * FROM customers");
             ResultSet a = n.executeQuery(); ResultSet b = w.executeQuery()) {
            ResultSetMetaData am = a.getMetaData();
            ResultSetMetaData bm = b.getMetaData();
            assertEquals(8, am.getColumnCount());
            for (int i = 1; i <= 8; i++) assertEquals(bm.getColumnLabel(i), am.getColumnLabel(i));
            int i = a.findColumn(column);
            assertEquals(type, am.getColumnTypeName(i));
            assertEquals(bm.getColumnTypeName(i), am.getColumnTypeName(i));
            assertEquals(bm.getColumnType(i), am.getColumnType(i));
            assertEquals(bm.isNullable(i), am.isNullable(i));
            assertEquals(bm.getTableName(i), am.getTableName(i));
        }
    }

    @Test
    void binaryAndTextDataRowsCarryANullField() throws Exception {
        String sql = "SELECT name, phone, card_number, credit_limit FROM customers";
        for (short format : new short[] {0, 1}) {
            List<byte[]> ann = extendedQuery("ann", sql, format);
            assertEquals("Jane", text(ann.get(0)));
            assertNull(ann.get(1), "phone");
            assertNull(ann.get(2), "card_number");
            assertEquals("****", text(ann.get(3)), "credit_limit is masked for analyst, shown as text");
            List<byte[]> sam = extendedQuery("sam", sql, format);
            assertEquals(PHONE, text(sam.get(1)));
            assertEquals("************" + CARD.substring(12), text(sam.get(2)), "card_number masked for support");
            assertNull(sam.get(3), "credit_limit, numeric in binary too");
        }
    }

    /**
     * The fields of the single row of {@code sql} run as Parse/Bind/Describe/Execute/Sync by {@code user}, every
     * result column asked for in {@code format} (0 text, 1 binary), which RowDescription must confirm; a NULL
     * field (length -1) is null.
     */
    private static List<byte[]> extendedQuery(String user, String sql, short format) throws Exception {
        try (RawPgClient c = new RawPgClient(server.port()).login(user, "pw")) {
            c.send('P', RawPgClient.concat(cstring(""), cstring(sql), int16(0)));
            c.send('B', RawPgClient.concat(cstring(""), cstring(""), int16(0), int16(0), int16(1), int16(format)));
            c.send('D', RawPgClient.concat(new byte[] {'P'}, cstring("")));
            c.send('E', RawPgClient.concat(cstring(""), RawPgClient.intBytes(0)));
            c.send('S', new byte[0]);
            List<byte[]> fields = null;
            RawPgClient.Message m;
            while ((m = c.read()).type() != 'Z') {
                java.nio.ByteBuffer body = java.nio.ByteBuffer.wrap(m.body());
                if (m.type() == 'E') throw new AssertionError(m.text());
                if (m.type() == 'T') {
                    int n = body.getShort();
                    for (int i = 0; i < n; i++) {
                        while (body.get() != 0) { }  // name
                        body.position(body.position() + 4 + 2 + 4 + 2 + 4);
                        assertEquals(format, body.getShort(), "field format");
                    }
                } else if (m.type() == 'D') {
                    assertNull(fields, "one row");
                    fields = new java.util.ArrayList<>();
                    int n = body.getShort();
                    for (int i = 0; i < n; i++) {
                        int length = body.getInt();
                        if (length < 0) {
                            fields.add(null);
                        } else {
                            byte[] value = new byte[length];
                            body.get(value);
                            fields.add(value);
                        }
                    }
                }
            }
            assertTrue(fields != null, "a row");
            return fields;
        }
    }

    private static byte[] cstring(String s) {
        return (s + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static byte[] int16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    private static String text(byte[] field) {
        return new String(field, java.nio.charset.StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=-1"})
    void otherUsesAreRefusedWith42501(String settings) throws Exception {
        try (Connection ann = jdbc("ann", settings)) {
            for (String sql : List.of("SELECT * FROM customers WHERE phone = ?",
                    "SELECT phone, count(*) FROM customers WHERE name = ? GROUP BY phone",
                    "SELECT * FROM customers WHERE name = ? ORDER BY card_number",
                    "SELECT c.id FROM customers c JOIN customers d ON c.phone = d.phone WHERE c.name = ?",
                    "SELECT lower(phone) FROM customers WHERE name = ?",
                    "SELECT phone IS NULL FROM customers WHERE name = ?")) {
                SQLException e = assertThrows(SQLException.class, () -> {
                    try (PreparedStatement ps = ann.prepareStatement(sql)) {
                        ps.setString(1, "Jane");
                        ps.executeQuery().close();
                    }
                }, sql);
                assertEquals("42501", e.getSQLState(), sql + ": " + e.getMessage());
                assertTrue(e.getMessage().contains("role 'analyst'"), e.getMessage());
                assertFalse(e.getMessage().contains(PHONE), e.getMessage());
            }
        }
    }
}

package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import dev.warden.testkit.SortTwins;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MIN and MAX over encrypted columns through the gateway, which runs the driver's engine: pgjdbc over the simple and
 * the extended protocol (unnamed, named and binary) gets what PostgreSQL gives on the plaintext twin
 * ({@link SortTwins}): the one row's values (a numeric's scale included), labels and types in RowDescription, NULLs
 * for no rows; the row cap (54000), the read right (42501) and a refused shape (0A000) carry their SQLState.
 */
class GatewayMinMaxIT {

    static CustomersExample example;
    static GatewayServer server;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        Path policy = SortTwins.policyDirectory();
        try (Connection raw = example.raw()) {
            SortTwins.create(raw);
        }
        ScramVerifier pw = ScramVerifier.generate("pw".toCharArray(), 4096);
        GatewayConfig config = new GatewayConfig("127.0.0.1", 0,
                new GatewayConfig.Backend(example.wardenUrl(), EmbeddedPostgres.USER, "", 4, Map.of()),
                policy.resolve("policy.yaml").toString(), "file:" + policy.resolve("demo-master-key.txt"), null,
                false, false, PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
                Map.of("rita", new GatewayUser("rita", pw, "reader", null, Set.of()),
                        "vic", new GatewayUser("vic", pw, "viewer", null, Set.of())),
                "scram-sha-256", 100);
        server = new GatewayServer(config, new PooledBackendConnector(config.backend(), config.policy(),
                config.masterKey()), new PgjdbcCopyRunner()).start();
        List<SortTwins.Row> rows = new ArrayList<>();
        String[] labels = {"b", "B", "\uD83D\uDE00", "\uFFFD", null, "a", "é", ""};
        for (int i = 0; i < 16; i++) {
            rows.add(new SortTwins.Row(i % 5 == 0 ? null : (i * 7) % 5 - 2, i % 3 == 0 ? Long.MIN_VALUE : (long) i,
                    new BigDecimal(i % 2 == 0 ? "1.5" : "1.50"), LocalDate.of(1990 + i * 3 % 40, 1 + i % 12, 1),
                    i % 4 == 0 ? null : LocalDateTime.of(2020, 1, 1, 0, 0).minusHours(i * 1000L), labels[i % labels.length],
                    i % 3, i % 2 == 0 ? "x" : null));
        }
        try (Connection rita = jdbc("rita", ""); Connection raw = example.raw()) {
            SortTwins.write(rita, raw, rows);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Connection jdbc(String user, String settings) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/app?user=" + user
                + "&password=pw" + (settings.isEmpty() ? "" : "&" + settings));
    }

    private static final String SELECT = "SELECT min(n), MAX(amount) AS top, max(label COLLATE \"C\"), min(day),"
            + " max(at) AS \"Latest\", min(big) FROM ";

    @ParameterizedTest
    @ValueSource(strings = {"preferQueryMode=simple", "", "prepareThreshold=-1",
            "prepareThreshold=1&binaryTransfer=true"})
    void pgjdbcGetsWhatPostgresGivesOnTheTwin(String settings) throws Exception {
        try (Connection rita = jdbc("rita", settings); Connection raw = example.raw()) {
            for (String where : new String[] {" WHERE grp <> ?", " WHERE grp > ?"}) {
                for (int run = 0; run < 2; run++) {
                    List<String> expected;
                    try (PreparedStatement p = raw.prepareStatement(SELECT + "ledger_twin" + where)) {
                        p.setInt(1, where.contains(">") ? 99 : 1);
                        try (ResultSet rs = p.executeQuery()) {
                            expected = shapeAndRow(rs);
                        }
                    }
                    try (PreparedStatement p = rita.prepareStatement(SELECT + "ledger" + where)) {
                        p.setInt(1, where.contains(">") ? 99 : 1);
                        try (ResultSet rs = p.executeQuery()) {
                            assertEquals(expected, shapeAndRow(rs), settings + where);
                        }
                    }
                }
            }
        }
    }

    /** Each column's label, type name and value (getObject's text: a numeric's scale shows), of the one row. */
    private static List<String> shapeAndRow(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> out = new ArrayList<>();
        assertTrue(rs.next());
        for (int c = 1; c <= md.getColumnCount(); c++) {
            Object v = rs.getObject(c);
            out.add(md.getColumnLabel(c) + ":" + md.getColumnTypeName(c) + "="
                    + (v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v)));
        }
        assertTrue(!rs.next());
        return out;
    }

    @Test
    void theCapTheReadRightAndRefusedShapesCarryTheirSqlState() throws Exception {
        try (Connection vic = jdbc("vic", ""); Statement s = vic.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT min(amount) FROM ledger"));
            assertEquals("42501", e.getSQLState());
            assertTrue(e.getMessage().contains("ledger.amount"), e.getMessage());
        }
        try (Connection rita = jdbc("rita", ""); Statement s = rita.createStatement()) {
            SQLException shape = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT grp, min(n) FROM ledger GROUP BY grp"));
            assertEquals("0A000", shape.getSQLState());
            s.executeUpdate("INSERT INTO ledger (id) SELECT g FROM generate_series(1000, 1000 + "
                    + SortTwins.CAP + ") g");
            try {
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT max(n) FROM ledger"));
                assertEquals("54000", e.getSQLState());
                assertTrue(e.getMessage().contains("sort-row-cap"), e.getMessage());
            } finally {
                s.executeUpdate("DELETE FROM ledger WHERE id >= 1000");
            }
        }
    }
}

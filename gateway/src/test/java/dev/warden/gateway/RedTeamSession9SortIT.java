package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Red team, session 9: ORDER BY over encrypted columns through the gateway (GatewaySortIT's set-up, plus a second
 * plain text column {@code memo}), with pgjdbc's simple, extended and binary protocols: an item PostgreSQL reads as
 * the table's column (a name under COLLATE) is sorted by that column, and COLLATE where PostgreSQL refuses it (on
 * a position, on a non-text encrypted key) fails as there (42804), never answered.
 */
class RedTeamSession9SortIT {

    @BeforeAll
    static void start() throws Exception {
        GatewaySortIT.start();
        // the column is added through the gateway, so that its catalog knows it
        try (Connection rita = GatewaySortIT.jdbc("rita", ""); Statement s = rita.createStatement()) {
            s.execute("ALTER TABLE ledger ADD COLUMN memo text");
        }
        try (Connection raw = GatewaySortIT.example.raw(); Statement s = raw.createStatement()) {
            s.execute("ALTER TABLE ledger_twin ADD COLUMN memo text");
            for (String table : List.of("ledger", "ledger_twin")) {
                s.execute("UPDATE " + table + " SET memo = 'm' || (id * 7 % 10)");
            }
        }
    }

    @AfterAll
    static void stop() {
        GatewaySortIT.stop();
    }

    /** The rows as text, or "ERR state". */
    private static String run(Connection c, String sql) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(2);
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    b.append('[');
                    for (int i = 1; i <= columns; i++) b.append(rs.getString(i)).append(i < columns ? "," : "");
                    b.append(']');
                }
            }
            return b.toString();
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + (e.getSQLState().equals("0A000") ? " " + e.getMessage() : "");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"preferQueryMode=simple", "prepareThreshold=1", "prepareThreshold=-1&binaryTransfer=true"})
    void collateItemsAnswerAsPostgresqlOnTheTwinOrFailAsThere(String settings) throws Exception {
        List<String> queries = List.of(
                "SELECT id, memo AS note FROM ledger ORDER BY note COLLATE \"C\", n, id",
                "SELECT id, note AS memo FROM ledger ORDER BY memo COLLATE \"C\" DESC, n NULLS FIRST, id",
                "SELECT id, n AS label FROM ledger ORDER BY label COLLATE \"C\", id",
                "SELECT id, note FROM ledger ORDER BY 2 COLLATE \"C\", n, id",
                "SELECT id, amount FROM ledger ORDER BY amount COLLATE \"C\", id",
                "SELECT id, at FROM ledger l ORDER BY l.at COLLATE \"POSIX\" DESC, id");
        try (Connection rita = GatewaySortIT.jdbc("rita", settings); Connection raw = GatewaySortIT.example.raw()) {
            for (int k = 0; k < 2; k++) {  // twice: the named statement is reused
                for (String sql : queries) {
                    String twin = run(raw, sql.replace("FROM ledger", "FROM ledger_twin"));
                    String gateway = run(rita, sql);
                    if (twin.startsWith("ERR")) {
                        assertEquals(twin, gateway, sql);
                    } else {
                        assertTrue(!gateway.startsWith("ERR"), sql + ": " + gateway);
                        assertEquals(twin, gateway, sql);
                    }
                }
            }
        }
    }
}

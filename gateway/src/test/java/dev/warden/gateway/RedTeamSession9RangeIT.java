package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Red team, session 9: ranges on order columns through the gateway (GatewayOrderRangeIT's server and tables), with
 * odd parameter types, Calendars, NULLs of several types and neighbours of the supported shapes inline, in the
 * extended (text and binary) and simple protocols: each refused or answered as PostgreSQL on the plaintext twin, and
 * no refusal names a bound. (A string bound on a number or date column is read as that type, where PostgreSQL would
 * refuse pgjdbc's varchar: documented in supported-sql.md, not asserted here.)
 */
class RedTeamSession9RangeIT {

    @BeforeAll
    static void start() throws Exception {
        GatewayOrderRangeIT.start();
    }

    @AfterAll
    static void stop() {
        GatewayOrderRangeIT.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "prepareThreshold=1&binaryTransfer=true", "preferQueryMode=simple"})
    void oddBoundsAndNeighboursAreRefusedOrAnswerAsTheTwin(String settings) throws Exception {
        java.util.Calendar la = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("America/Los_Angeles"));
        java.util.Calendar tokyo = java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("Asia/Tokyo"));
        Object[][] params = {
            {"born < ?", la}, {"born <= ?", tokyo}, {"amount < ?", "31337.0"},
            {"price < ?", "NaN"}, {"price < ?", new BigDecimal("31337.5")}, {"amount < ?", (short) 7},
            {"amount < ?", 31337L}, {"amount < ?", java.sql.Types.OTHER},
            {"amount < ?", java.sql.Types.INTEGER}, {"label COLLATE \"C\" < ?", "b\uD83D\uDE00"},
            {"born < ?", java.time.LocalDate.of(2000, 1, 2)},
        };
        String[] inline = {"NOT (amount < 7)", "(amount < 7) IS TRUE", "amount < '31337.0'", "price < 'NaN'",
            "amount < 7 OR TRUE", "(amount) < 7", "amount < 7::int", "amount < 7; SELECT 1", "born < 'today'",
            "label COLLATE \"C\" < 'b' AND amount > -31337", "amount BETWEEN 31337 AND -31337",
            "amount NOT BETWEEN 7 AND -5"};
        try (Connection gateway = GatewayOrderRangeIT.jdbc(settings); Connection raw = GatewayOrderRangeIT.example.raw()) {
            for (Object[] p : params) {
                String what = settings + ": " + p[0] + " <- " + (p[1] instanceof java.util.Calendar c
                        ? c.getTimeZone().getID() : p[1]);
                if (p[1] instanceof java.util.Calendar cal) {
                    refusedOrSame(what, runP(raw, "ledger_twin", (String) p[0], ps -> ps.setDate(1,
                                    java.sql.Date.valueOf("2000-01-02"), cal)),
                            runP(gateway, "ledger", (String) p[0], ps -> ps.setDate(1, java.sql.Date.valueOf("2000-01-02"), cal)));
                } else if (p[1] instanceof Integer type && ((String) p[0]).equals("amount < ?")) {
                    refusedOrSame(what, runP(raw, "ledger_twin", (String) p[0], ps -> ps.setNull(1, type)),
                            runP(gateway, "ledger", (String) p[0], ps -> ps.setNull(1, type)));
                } else {
                    refusedOrSame(what, runP(raw, "ledger_twin", (String) p[0], ps -> ps.setObject(1, p[1])),
                            runP(gateway, "ledger", (String) p[0], ps -> ps.setObject(1, p[1])));
                }
            }
            for (String w : inline) {
                refusedOrSame(settings + ": " + w, run(raw, "SELECT id FROM ledger_twin WHERE " + w),
                        run(gateway, "SELECT id FROM ledger WHERE " + w));
            }
        }
    }

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private static void refusedOrSame(String what, String twin, String gateway) {
        if (gateway.startsWith("ERR")) {
            assertFalse(gateway.contains("31337"), "a refusal names no bound: " + gateway);
            assertTrue(gateway.startsWith("ERR 0A000") || twin.startsWith(gateway.substring(0, 9)), what + ": " + gateway);
            return;
        }
        assertEquals(twin, gateway, what);
    }

    private static String runP(Connection c, String table, String where, Binder binder) {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE " + where + " ORDER BY id")) {
            binder.bind(ps);
            return ids(ps.executeQuery());
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + " " + e.getMessage();
        }
    }

    private static String run(Connection c, String sql) {
        String ordered = sql.contains(";") ? sql : sql + " ORDER BY id";
        try (Statement s = c.createStatement()) {
            return s.execute(ordered) ? ids(s.getResultSet()) : "upd " + s.getUpdateCount();
        } catch (SQLException e) {
            return "ERR " + e.getSQLState() + " " + e.getMessage();
        }
    }

    private static String ids(ResultSet rs) throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) out.add(rs.getInt(1));
        }
        return out.toString();
    }
}

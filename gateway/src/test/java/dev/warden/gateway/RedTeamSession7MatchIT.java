package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 7, through the gateway: the LIKE shapes the driver now refuses (a LIMIT that is an
 * expression, an ESCAPE that is not a literal, a cast on the pattern) are refused with 0A000 over the simple
 * protocol (psql) and the extended one (pgjdbc), and a pattern bound as another type than text is refused
 * rather than matched as its text.
 */
class RedTeamSession7MatchIT {

    @BeforeAll
    static void start() throws Exception {
        GatewayMatchLikeIT.start();
    }

    @AfterAll
    static void stop() {
        GatewayMatchLikeIT.stop();
    }

    static final List<String> REFUSED = List.of(
            "select id from customers where nickname like '%chan%' order by id limit 1+1",
            "select id from customers where nickname like '%chan%' escape null",
            "select id from customers where nickname like '%chan%'::text");

    @Test
    void misreadShapesAreRefusedOverTheExtendedProtocol() throws SQLException {
        for (String settings : List.of("", "prepareThreshold=-1", "preferQueryMode=simple")) {
            try (Connection c = GatewayMatchLikeIT.jdbc(settings); Statement s = c.createStatement()) {
                for (String sql : REFUSED) {
                    SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql), sql);
                    assertEquals("0A000", e.getSQLState(), settings + " " + sql + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void misreadShapesAreRefusedToPsql() {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        for (String sql : REFUSED) {
            var result = GatewayMatchLikeIT.psql(sql);
            assertTrue(result.exit() != 0 && result.err().contains("0A000"), sql + ": " + result.err());
        }
    }

    @Test
    void aPatternOfAnotherTypeIsRefused() throws SQLException {
        try (Connection c = GatewayMatchLikeIT.jdbc(""); PreparedStatement ps = c.prepareStatement(
                "select id from customers where nickname not like ?")) {
            ps.setInt(1, 12345);
            SQLException e = assertThrows(SQLException.class, () -> ps.executeQuery().close());
            assertTrue(!e.getMessage().contains("12345"), e.getMessage());
        }
    }
}

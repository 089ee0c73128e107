package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.SortedRows;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GROUP BY, DISTINCT, COUNT(DISTINCT) and = ANY (ARRAY[...]) on a deterministic column through the gateway, in the
 * simple (psql) and extended (pgjdbc, parameters in text and binary format) protocols: the answers are the
 * plaintext twin table's, each role sees them per the policy, and a role without the filter right is refused
 * with 42501.
 */
class GatewayDeterministicEqualityIT {

    private static final String[][] ROWS = {{"Ann", "ann@example.com"}, {"Bob", "bob@example.com"},
            {"Ann2", "ann@example.com"}, {"Cid", null}, {"Ann3", "ann@example.com"}, {"Bob2", "bob@example.com"}};

    static CustomersExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        Path policy = CustomersExample.newPolicyDirectory();
        gateway = PolicyGateway.start(example.wardenUrl(), policy, 4,
                PolicyGateway.user("sam", "support", "customer-service"),
                PolicyGateway.user("ann", "analyst", null));
        try (Connection sam = jdbc("sam", ""); Connection raw = example.raw()) {
            CustomersPlainTwin.seed(sam, raw, List.of("name", "email"), ROWS);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    static Connection jdbc(String user, String settings) throws SQLException {
        return gateway.connect(user, settings);
    }

    private static final List<String> SHAPES = List.of(
            "SELECT email, count(*) FROM customers GROUP BY email",
            "SELECT DISTINCT email FROM customers",
            "SELECT count(DISTINCT email) FROM customers",
            "SELECT name FROM customers WHERE email = ANY (ARRAY['ann@example.com', 'cid@example.com'])",
            "SELECT name FROM customers WHERE email IN (SELECT email FROM customers WHERE name = 'Bob')");

    @Test
    void theExtendedProtocolAnswersWhatPlaintextAnswers() throws Exception {
        for (String settings : List.of("", "prepareThreshold=-1&binaryTransfer=true", "preferQueryMode=simple")) {
            try (Connection sam = jdbc("sam", settings); Connection raw = example.raw()) {
                for (String sql : SHAPES) {
                    assertEquals(rows(raw, CustomersPlainTwin.twin(sql)), rows(sam, sql), settings + " " + sql);
                }
                String any = "SELECT name, email FROM customers WHERE email = ANY (ARRAY[?, ?])";
                assertEquals(prepared(raw, any.replace(" customers", " customers_plain")), prepared(sam, any), settings);
            }
        }
    }

    /**
     * {@code email = ANY ($1)} / {@code <> ALL ($1)} with one array parameter (text[] or varchar[], sent by pgjdbc in
     * text or binary format): the gateway decodes the array, Warden encrypts each element; NULL elements, an empty
     * array and a NULL array answer as on the plaintext.
     */
    @Test
    void anArrayParameterOfAnyOrAllAnswersWhatPlaintextAnswers() throws Exception {
        String[][] arrays = {{"ann@example.com", "nobody@example.com"}, {"bob@example.com", null}, {null}, {}, null};
        for (String settings : List.of("", "prepareThreshold=-1&binaryTransfer=true")) {
            try (Connection sam = jdbc("sam", settings); Connection raw = example.raw()) {
                for (String sql : List.of("SELECT name FROM customers WHERE email = ANY (?)",
                        "SELECT name FROM customers WHERE email <> ALL (?)")) {
                    for (String[] array : arrays) {
                        for (int binding = 0; binding < 3; binding++) {
                            List<List<String>> answers = new ArrayList<>();
                            for (Connection c : List.of(raw, sam)) {
                                try (PreparedStatement ps = c.prepareStatement(
                                        c == raw ? CustomersPlainTwin.twin(sql) : sql)) {
                                    if (array == null) ps.setNull(1, java.sql.Types.ARRAY);
                                    else if (binding == 0) ps.setArray(1, c.createArrayOf("text", array));
                                    else if (binding == 1) ps.setObject(1, array);
                                    else ps.setArray(1, c.createArrayOf("varchar", array));
                                    try (ResultSet rs = ps.executeQuery()) {
                                        answers.add(SortedRows.of(rs));
                                    }
                                }
                            }
                            assertEquals(answers.get(0), answers.get(1), settings + " " + sql + " "
                                    + java.util.Arrays.toString(array) + " binding " + binding);
                        }
                    }
                }
            }
        }
    }

    @Test
    void psqlGroupsAndAMaskedReaderWithoutTheFilterRightIsRefused() throws Exception {
        assumeTrue(GatewayFixture.available("psql"), "psql not installed");
        var grouped = psql("sam", "SELECT email, count(*) FROM customers GROUP BY email ORDER BY 2");
        assertEquals(0, grouped.exit(), grouped.err());
        assertEquals(List.of("|1", "bob@example.com|2", "ann@example.com|3"), grouped.out().strip().lines().toList());
        var refused = psql("ann", "SELECT DISTINCT email FROM customers");
        assertTrue(refused.err().contains("42501") || refused.err().contains("may not filter on customers.email"),
                refused.err());
        assertTrue(refused.err().contains("add 'analyst' to filter: of customers.email"), refused.err());
        assertFalse(refused.err().contains("ann@"), refused.err());
        try (Connection ann = jdbc("ann", ""); Statement s = ann.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> s.executeQuery("SELECT email, count(*) FROM customers GROUP BY email"));
            assertEquals("42501", e.getSQLState());
        }
    }

    static GatewayFixture.Result psql(String user, String sql) {
        return GatewayFixture.run(List.of("/usr/bin/psql", "-X", "-At", "-v", "VERBOSITY=verbose", "-h", "127.0.0.1",
                "-p", String.valueOf(gateway.port()), "-U", user, "-d", "app", "-c", sql), null,
                Map.of("PGPASSWORD", "pw"), 60);
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return SortedRows.of(rs);
        }
    }

    private static List<String> prepared(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "bob@example.com");
            ps.setString(2, "nobody@example.com");
            try (ResultSet rs = ps.executeQuery()) {
                return SortedRows.of(rs);
            }
        }
    }
}

package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * Red team, session 7, through the gateway (both session-io modes): grouping on a deterministic column, = ANY of
 * an array mixing parameters and literals, and {@code denied-columns: null}, in COPY (query) TO STDOUT, text and
 * binary results and the simple protocol; the answers are the plaintext twin's, a denied column is a NULL field
 * and anything computing on it is refused. Users {@code sam} (support), {@code ann} (analyst: phone and
 * card_number denied, email masked) and {@code bil} (billing, writes card_number).
 */
class RedTeamSession7GroupingIT {

    private static final String[][] ROWS = {{"Ann", "ann@example.com", "+85291234567"},
            {"Bob", "bob@example.com", "+33612345678"}, {"Ann2", "ann@example.com", null},
            {"Cid", null, "+85291234567"}, {"Ann3", "ann@example.com", "+4930123456"}};

    static CustomersExample example;
    static PolicyGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        Path policy = CustomersExample.newPolicyDirectoryWith("keyset: demo-keyset.json\n",
                "keyset: demo-keyset.json\ndenied-columns: null\n");
        gateway = PolicyGateway.start(example.wardenUrl(), policy, 4,
                PolicyGateway.user("sam", "support", "customer-service"),
                PolicyGateway.user("bil", "billing", "customer-service"),
                PolicyGateway.user("ann", "analyst", null));
        try (Connection sam = jdbc("sam", ""); Connection raw = example.raw()) {
            CustomersPlainTwin.seed(sam, raw, List.of("name", "email", "phone"), ROWS);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) gateway.close();
    }

    static Connection jdbc(String user, String settings) throws SQLException {
        return gateway.connect(user, settings);
    }

    @Test
    void copyOfAGroupingQueryIsThePlaintextTwinsCopy() throws Exception {
        try (Connection sam = jdbc("sam", ""); Connection raw = example.raw()) {
            for (String query : List.of("SELECT email, count(*) FROM customers GROUP BY email",
                    "SELECT DISTINCT email, phone FROM customers",
                    "SELECT count(DISTINCT email), count(DISTINCT phone) FROM customers",
                    "SELECT name FROM customers WHERE email IN (SELECT email FROM customers WHERE name = 'Bob')")) {
                assertEquals(sortedLines(copyOut(raw, "COPY (" + CustomersPlainTwin.twin(query) + ") TO STDOUT")),
                        sortedLines(copyOut(sam, "COPY (" + query + ") TO STDOUT")), query);
            }
        }
    }

    @Test
    void anyOfAnArrayMixingParametersAndLiteralsMatchesInEveryFormat() throws Exception {
        String sql = "SELECT name, email FROM customers WHERE email = ANY (ARRAY[?, 'bob@example.com', ?])"
                + " AND phone <> ALL (ARRAY['+4930123456', ?])";
        for (String settings : List.of("", "prepareThreshold=-1&binaryTransfer=true", "preferQueryMode=simple")) {
            try (Connection sam = jdbc("sam", settings); Connection raw = example.raw()) {
                List<String> expected = anyOf(raw, CustomersPlainTwin.twin(sql));
                assertFalse(expected.isEmpty());
                assertEquals(expected, anyOf(sam, sql), settings);
            }
        }
    }

    @Test
    void aDeniedColumnIsANullFieldInCopyAndComputingOnItIsRefused() throws Exception {
        try (Connection ann = jdbc("ann", "")) {
            String copied = new String(copyOut(ann, "COPY (SELECT name, phone FROM customers) TO STDOUT"),
                    StandardCharsets.UTF_8);
            assertEquals(List.of("Ann\t\\N", "Ann2\t\\N", "Ann3\t\\N", "Bob\t\\N", "Cid\t\\N"), sortedLines(copied.getBytes(StandardCharsets.UTF_8)));
            for (String query : List.of("SELECT DISTINCT phone FROM customers", "SELECT phone, count(*) FROM customers GROUP BY 1",
                    "SELECT name FROM customers ORDER BY phone", "SELECT phone IS NULL FROM customers",
                    "SELECT count(DISTINCT p) FROM (SELECT phone AS p FROM customers) x")) {
                SQLException e = assertThrows(SQLException.class, () -> copyOut(ann, "COPY (" + query + ") TO STDOUT"), query);
                assertEquals("42501", e.getSQLState(), query + ": " + e.getMessage());
                assertFalse(e.getMessage().contains("+852"), e.getMessage());
            }
        }
        for (String settings : List.of("prepareThreshold=-1&binaryTransfer=true", "preferQueryMode=simple")) {
            try (Connection ann = jdbc("ann", settings); Statement s = ann.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT x.p FROM (SELECT phone AS p FROM customers) x")) {
                    int n = 0;
                    while (rs.next()) {
                        assertEquals(null, rs.getBytes(1));
                        n++;
                    }
                    assertEquals(ROWS.length, n);
                }
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT p FROM (SELECT phone AS p FROM customers) x GROUP BY 1"));
                assertEquals("42501", e.getSQLState(), settings);
            }
        }
    }

    @Test
    void aNumberCastToTextInAnotherFormThanTheServerPrintsIsRefused() throws Exception {
        for (String settings : List.of("", "preferQueryMode=simple")) {
            try (Connection bil = jdbc("bil", settings); Statement s = bil.createStatement()) {
                SQLException e = assertThrows(SQLException.class,
                        () -> s.executeUpdate("UPDATE customers SET card_number = 1e3::text WHERE name = 'Bob'"));
                assertEquals("0A000", e.getSQLState(), e.getMessage());
                assertTrue(e.getMessage().contains("customers.card_number"), e.getMessage());
            }
        }
        try (Connection raw = example.raw(); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM customers WHERE card_number IS NOT NULL")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
    }

    private static byte[] copyOut(Connection c, String sql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.unwrap(PGConnection.class).getCopyAPI().copyOut(sql, out);
        return out.toByteArray();
    }

    private static List<String> sortedLines(byte[] copy) {
        List<String> lines = new ArrayList<>(new String(copy, StandardCharsets.UTF_8).lines().toList());
        lines.sort(null);
        return lines;
    }

    private static List<String> anyOf(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "ann@example.com");
            ps.setString(2, "nobody@example.com");
            ps.setString(3, "+33612345678");
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1) + "|" + rs.getString(2));
            }
            out.sort(null);
            return out;
        }
    }
}

package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.EmbeddedPostgres;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random values of every logical type, written through Warden into both randomized and deterministic
 * columns of a real PostgreSQL, come back equal; the deterministic copy is found by equality; and the raw
 * table never holds the value's text.
 */
class TypedValueRoundTripIT {

    private static final String[][] TYPES = {
            {"text"}, {"integer"}, {"bigint"}, {"numeric"}, {"date"}, {"timestamp"}, {"bytes"}};
    private static Connection warden;
    private static Connection raw;

    @BeforeContainer
    static void start() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        raw = EmbeddedPostgres.rawConnection(url);
        StringBuilder ddl = new StringBuilder("CREATE TABLE typed_values (id serial PRIMARY KEY");
        StringBuilder policy = new StringBuilder("keyset: " + CustomersExample.DIRECTORY.resolve("demo-keyset.json")
                + "\nroles:\n  writer: {}\ntables:\n  typed_values:\n");
        for (String[] t : TYPES) {
            String type = t[0];
            ddl.append(", r_").append(type).append(" bytea, d_").append(type).append(" text");
            for (String mode : new String[] {"randomized", "deterministic"}) {
                policy.append("    ").append(mode.charAt(0)).append('_').append(type).append(":\n")
                        .append("      encrypt: ").append(mode).append("\n      type: ").append(type)
                        .append("\n      read: { writer: plaintext }\n      write: [writer]\n");
            }
        }
        try (Statement s = raw.createStatement()) {
            s.execute(ddl.append(")").toString());
        }
        Path dir = Files.createTempDirectory("warden-typed");
        Path policyFile = dir.resolve("policy.yaml");
        Files.writeString(policyFile, policy.toString());
        Properties p = CustomersExample.properties("writer", null);
        p.setProperty("warden.policy", policyFile.toString());
        warden = DriverManager.getConnection("jdbc:warden:" + url.substring(5), p);
    }

    @AfterContainer
    static void stop() throws SQLException {
        warden.close();
        raw.close();
    }

    @Property(tries = 60)
    void textRoundTrips(@ForAll("texts") String value) throws Exception {
        roundTrip("text", value, (rs, c) -> rs.getString(c));
    }

    @Property(tries = 60)
    void integerRoundTrips(@ForAll int value) throws Exception {
        roundTrip("integer", value, (rs, c) -> rs.getInt(c));
    }

    @Property(tries = 60)
    void bigintRoundTrips(@ForAll long value) throws Exception {
        roundTrip("bigint", value, (rs, c) -> rs.getLong(c));
    }

    @Property(tries = 60)
    void numericRoundTripsNumerically(@ForAll("numerics") BigDecimal value) throws Exception {
        Object back = roundTrip("numeric", value, (rs, c) -> rs.getBigDecimal(c));
        assertEquals(0, value.compareTo((BigDecimal) back));
    }

    @Property(tries = 60)
    void dateRoundTrips(@ForAll("dates") LocalDate value) throws Exception {
        roundTrip("date", value, (rs, c) -> rs.getObject(c, LocalDate.class));
    }

    @Property(tries = 60)
    void timestampRoundTripsToTheMicrosecond(@ForAll("timestamps") LocalDateTime value) throws Exception {
        roundTrip("timestamp", value, (rs, c) -> rs.getTimestamp(c).toLocalDateTime());
    }

    @Property(tries = 60)
    void bytesRoundTrip(@ForAll byte[] value) throws Exception {
        Object back = roundTrip("bytes", value, (rs, c) -> rs.getBytes(c));
        assertArrayEquals(value, (byte[]) back);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().ofMaxLength(60).filter(s -> s.indexOf('\0') < 0 && !hasLoneSurrogate(s));
    }

    @Provide
    Arbitrary<BigDecimal> numerics() {
        return Arbitraries.bigDecimals().between(new BigDecimal("-1e12"), new BigDecimal("1e12")).ofScale(6);
    }

    @Provide
    Arbitrary<LocalDate> dates() {
        return Arbitraries.longs().between(LocalDate.of(1, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
                .map(LocalDate::ofEpochDay);
    }

    @Provide
    Arbitrary<LocalDateTime> timestamps() {
        return Arbitraries.longs().between(-62_000_000_000L, 250_000_000_000L)
                .map(s -> LocalDateTime.ofEpochSecond(s, 0, java.time.ZoneOffset.UTC))
                .flatMap(t -> Arbitraries.integers().between(0, 999_999).map(us -> t.plus(us, ChronoUnit.MICROS)));
    }

    @FunctionalInterface
    interface Getter {
        Object get(ResultSet rs, String column) throws SQLException;
    }

    private static Object roundTrip(String type, Object value, Getter getter) throws Exception {
        int id;
        try (PreparedStatement ps = warden.prepareStatement(
                "INSERT INTO typed_values (r_" + type + ", d_" + type + ") VALUES (?, ?) RETURNING id")) {
            ps.setObject(1, value);
            ps.setObject(2, value);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                id = rs.getInt(1);
            }
        }
        Object back;
        try (PreparedStatement ps = warden.prepareStatement(
                "SELECT r_" + type + ", d_" + type + " FROM typed_values WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                back = getter.get(rs, "r_" + type);
                Object deterministic = getter.get(rs, "d_" + type);
                if (!(value instanceof byte[]) && !(value instanceof BigDecimal)) {
                    assertEquals(value, back);
                    assertEquals(value, deterministic);
                }
            }
        }
        try (PreparedStatement ps = warden.prepareStatement("SELECT id FROM typed_values WHERE d_" + type + " = ?")) {
            ps.setObject(1, value);
            boolean found = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) found |= rs.getInt(1) == id;
            }
            assertTrue(found, "equality on the deterministic column finds the row");
        }
        if (value instanceof String s && s.length() >= 4) {
            try (Statement st = raw.createStatement();
                 ResultSet rs = st.executeQuery("SELECT encode(r_" + type + ", 'escape'), d_" + type
                         + " FROM typed_values WHERE id = " + id)) {
                rs.next();
                assertFalse(rs.getString(1).contains(s) || rs.getString(2).contains(s), "plaintext at rest");
            }
        }
        return back;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

}

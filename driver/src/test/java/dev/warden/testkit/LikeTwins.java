package dev.warden.testkit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * The twin-table oracle for LIKE and ILIKE on a match column, shared by the driver's and the gateway's property
 * tests: the same values in {@code customers.nickname} (written through Warden: encrypted, with its match index) and
 * in a plaintext table {@code like_twin}; a statement through Warden must give the twin's rows (read with plain
 * pgjdbc), or the twin's error (same SQLState), or be refused as too short for the index (0A000, saying so). The
 * generators mix wildcards, escapes, empty strings, and characters whose case folding differs between locales, the
 * JVM and the C library (ß, final sigma, dotted and dotless i, U+A7C0/U+A7C1).
 */
public final class LikeTwins {

    private static final String VALUE_CHARS = "aAbB _%\\!éÉßΣσςİıx\uA7C0\uA7C1";
    private static final String PATTERN_CHARS = "aAb_%\\!éÉßΣσİı\uA7C0\uA7C1";

    private LikeTwins() {}

    /** Values of a row: short strings of the tricky characters, the empty string and NULL among them. */
    public static Arbitrary<List<String>> rows() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.strings().withChars(VALUE_CHARS).ofMaxLength(8),
                Arbitraries.just(""), Arbitraries.just(null));
        return value.list().ofMinSize(1).ofMaxSize(8);
    }

    public static Arbitrary<String> patterns() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars(PATTERN_CHARS).ofMaxLength(7),
                Arbitraries.strings().withChars(PATTERN_CHARS).ofMinLength(3).ofMaxLength(5).map(s -> "%" + s + "%"),
                Arbitraries.just(""), Arbitraries.just(null));
    }

    /** An ESCAPE clause's string, or null for none (the backslash). */
    public static Arbitrary<String> escapes() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.of("", "!", "a", "%"));
    }

    public static Arbitrary<String> operators() {
        return Arbitraries.of("LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE");
    }

    /** Creates {@code like_twin} (once per database). */
    public static void createTwin(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS like_twin (id int PRIMARY KEY, nickname text)");
        }
    }

    /** Replaces the rows of both tables with {@code values} (ids from 1). */
    public static void write(Connection warden, Connection raw, List<String> values) throws SQLException {
        try (Statement w = warden.createStatement(); Statement r = raw.createStatement()) {
            w.executeUpdate("DELETE FROM customers");
            r.executeUpdate("DELETE FROM like_twin");
        }
        try (PreparedStatement w = warden.prepareStatement(
                "INSERT INTO customers (id, name, email, nickname) VALUES (?, ?, ?, ?)");
             PreparedStatement r = raw.prepareStatement("INSERT INTO like_twin (id, nickname) VALUES (?, ?)")) {
            for (int i = 0; i < values.size(); i++) {
                w.setInt(1, i + 1);
                w.setString(2, "n" + i);
                w.setString(3, "e" + i + "@x.hk");
                w.setString(4, values.get(i));
                w.executeUpdate();
                r.setInt(1, i + 1);
                r.setString(2, values.get(i));
                r.executeUpdate();
            }
        }
    }

    /**
     * Runs {@code nickname <op> pattern [ESCAPE e] ORDER BY id} on both sides, the pattern bound as a parameter or
     * written inline, and returns null when Warden answered as the twin did (or refused a too-short pattern), else
     * what differs.
     */
    public static String compare(Connection warden, Connection raw, String op, String pattern, String escape,
                                 boolean inline) {
        String tail = " WHERE nickname " + op + " " + (inline ? literal(pattern) : "?")
                + (escape == null ? "" : " ESCAPE " + literal(escape)) + " ORDER BY id";
        String expected = answer(raw, "SELECT id FROM like_twin" + tail, inline ? null : pattern, !inline);
        String actual = answer(warden, "SELECT id FROM customers" + tail, inline ? null : pattern, !inline);
        if (expected.equals(actual)) return null;
        if (actual.startsWith("error 0A000") && actual.contains("too short")) return null;
        return "expected " + expected + " but Warden gave " + actual;
    }

    private static String answer(Connection c, String sql, String pattern, boolean bind) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (bind) ps.setString(1, pattern);
            List<Integer> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getInt(1));
            }
            return ids.toString();
        } catch (SQLException e) {
            // the same SQLState is PostgreSQL's error; a refusal's message says why
            return "error " + e.getSQLState() + ("0A000".equals(e.getSQLState()) ? " " + e.getMessage() : "");
        }
    }

    private static String literal(String s) {
        return s == null ? "NULL" : "'" + s.replace("'", "''") + "'";
    }
}

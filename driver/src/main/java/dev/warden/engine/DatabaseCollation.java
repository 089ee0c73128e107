package dev.warden.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The default collation of the connected database, as far as order indexes and Warden's own sorting care: whether
 * PostgreSQL compares text in code point order there, which is the order of the text order index, of the ranges'
 * re-check and of {@link RowOrder}. An encrypted column's plaintext has no collation of its own in the database (it
 * holds ciphertext), so a comparison or sort of it is held to the database default, as the same column in
 * plaintext would be without a COLLATE clause.
 * <p>
 * Code point order: "C" and "POSIX" with the libc provider (PostgreSQL compares bytes). A libc "C.&lt;encoding&gt;"
 * locale (C.UTF-8) is code point order in glibc 2.35 and later but not everywhere, so it counts only when the
 * database itself sorts a probe of characters from several classes (cases, accents, punctuation, outside the BMP)
 * in code point order. ICU collations never do. Read once per connection through the session's real connection
 * (not a client statement: no audit event). Thread-safe.
 */
final class DatabaseCollation {

    /** What a statement asks, lazily: only statements that compare or sort encrypted text ask the database. */
    @FunctionalInterface
    interface Source {
        /** Null when the database compares text in code point order, else its default collation's name. */
        String unlessCodePoint() throws SQLException;
    }

    /** Characters whose code point order differs from every linguistic collation's order somewhere. */
    private static final String[] PROBE = {"B", "a", "Z", "_", "~", "\u00e4", "\u00e9", "e", "\u00c9", "\u0131",
        "\uFFFD", "\uD83D\uDE00", " ", "1", "\u00df", "ss"};

    private static final Map<Connection, String> BY_CONNECTION = Collections.synchronizedMap(new WeakHashMap<>());

    private DatabaseCollation() {}

    /** The lazy source for statements run on {@code connection}. */
    static Source of(Connection connection) {
        return () -> unlessCodePoint(connection);
    }

    /** Null when the database compares text in code point order, else its default collation's name. */
    static String unlessCodePoint(Connection connection) throws SQLException {
        String known = BY_CONNECTION.get(connection);
        if (known == null) {
            known = read(connection);
            BY_CONNECTION.put(connection, known);
        }
        return known.isEmpty() ? null : known;
    }

    private static String read(Connection connection) throws SQLException {
        // datlocprovider exists from PostgreSQL 15 ('i': ICU, whose order is never code point order)
        String sql = "SELECT d.datcollate, pg_catalog.to_jsonb(d) OPERATOR(pg_catalog.->>) 'datlocprovider'"
                + " FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()";
        String collate;
        String provider;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) return "unknown";
            collate = rs.getString(1);
            provider = rs.getString(2);
        }
        String name = ("i".equals(provider) ? "ICU " : "") + collate;
        if (provider != null && !"c".equals(provider)) return name;
        if ("C".equals(collate) || "POSIX".equals(collate)) return "";
        return collate.startsWith("C.") && sortsProbeByCodePoint(connection) ? "" : name;
    }

    private static boolean sortsProbeByCodePoint(Connection connection) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT x FROM pg_catalog.unnest(ARRAY[");
        for (int i = 0; i < PROBE.length; i++) {
            sql.append(i == 0 ? "" : ", ").append("U&'");
            PROBE[i].codePoints().forEach(c -> sql.append(String.format("\\+%06X", c)));
            sql.append('\'');
        }
        sql.append("]::pg_catalog.text[]) AS p(x) ORDER BY x");
        String[] expected = PROBE.clone();
        java.util.Arrays.sort(expected, RowOrder::compareCodePoints);
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql.toString())) {
            for (String e : expected) {
                if (!rs.next() || !e.equals(rs.getString(1))) return false;
            }
            return !rs.next();
        }
    }
}

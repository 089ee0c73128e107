package dev.warden.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The default collation of the connected database, as far as order indexes care: whether PostgreSQL compares text in
 * code point order there ("C" or "POSIX" with the libc provider), which is the order of the text order index and of
 * Warden's re-check. An encrypted column's plaintext has no collation of its own in the database (it holds
 * ciphertext), so a comparison of it is held to the database default, as the same column in plaintext would be
 * without a COLLATE clause. Cached per connection (a connection's database never changes). Thread-safe.
 */
final class DatabaseCollation {

    private static final Map<Connection, String> BY_CONNECTION = Collections.synchronizedMap(new WeakHashMap<>());

    private DatabaseCollation() {}

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
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) return "unknown";
            String collate = rs.getString(1);
            String provider = rs.getString(2);
            boolean codePoint = ("C".equals(collate) || "POSIX".equals(collate) || collate.startsWith("C."))
                    && (provider == null || "c".equals(provider));
            return codePoint ? "" : (provider != null && "i".equals(provider) ? "ICU " : "") + collate;
        }
    }
}

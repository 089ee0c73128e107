package dev.warden.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Whether a database's default collation orders text by code point: "C" or "POSIX" with the libc provider. Warden
 * sorts encrypted text itself by code point ({@link RowOrder}), which is PostgreSQL's order only then; an encrypted
 * column is stored as ciphertext, so the collation its plaintext would have is the database's default. Read once per
 * connection through the session's real connection (not a client statement: no audit event). Thread-safe.
 */
final class DefaultCollation {

    private static final Map<Connection, Boolean> BY_CONNECTION = Collections.synchronizedMap(new WeakHashMap<>());

    private DefaultCollation() {}

    static boolean isC(Connection connection) throws SQLException {
        Boolean known = BY_CONNECTION.get(connection);
        if (known == null) {
            known = read(connection);
            BY_CONNECTION.put(connection, known);
        }
        return known;
    }

    private static boolean read(Connection connection) throws SQLException {
        boolean provider = connection.getMetaData().getDatabaseMajorVersion() >= 15;  // datlocprovider is new in 15
        try (Statement s = connection.createStatement();
             ResultSet rs = s.executeQuery("SELECT datcollate, " + (provider ? "datlocprovider::pg_catalog.text" : "NULL")
                     + " FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()")) {
            if (!rs.next()) return false;
            String collate = rs.getString(1);
            String localeProvider = rs.getString(2);
            return (localeProvider == null || "c".equals(localeProvider))
                    && ("C".equals(collate) || "POSIX".equals(collate));
        }
    }
}

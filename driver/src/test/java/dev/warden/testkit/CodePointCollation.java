package dev.warden.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether a test database's default collation is one Warden compares and sorts encrypted text under without
 * COLLATE "C": "C" or "POSIX", or a "C.&lt;encoding&gt;" locale that the database itself shows to sort in code
 * point order (as the engine's DatabaseCollation probes it). Tests expect an answer there and a 0A000 elsewhere.
 */
public final class CodePointCollation {

    private CodePointCollation() {}

    /** @param raw a plain pgjdbc connection to the test database */
    public static boolean isDefault(Connection raw) throws SQLException {
        try (Statement s = raw.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT datcollate, (SELECT string_agg(x, '' ORDER BY x) FROM unnest(ARRAY['a', 'B', '_', U&'\\00E9', 'e']) x)"
                        + " FROM pg_database WHERE datname = current_database()")) {
            rs.next();
            String collate = rs.getString(1);
            if (collate.equals("C") || collate.equals("POSIX")) return true;
            return collate.startsWith("C.") && "B_ae\u00e9".equals(rs.getString(2));
        }
    }
}

package dev.warden.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warns when the database user a connection runs as holds powers Warden cannot stop: superuser (itself, or through
 * a role it may {@code SET ROLE} to), or membership of {@code pg_read_server_files}, {@code pg_write_server_files} or
 * {@code pg_execute_server_program}. Such a user reads the server's files and runs programs on it
 * ({@code pg_read_file}, {@code COPY ... FROM PROGRAM}, {@code lo_import}), and a superuser changes anything
 * (roles, functions, the data itself) without a statement Warden could refuse. Warden still works for it; the
 * warning says that its protection then rests on the application never being tricked into such statements.
 *
 * <p>One catalog query per (database, user) and engine, at the first connection: never per statement.
 * Thread-safe.
 */
public final class DatabaseUserCheck {

    private static final System.Logger LOG = System.getLogger("dev.warden.database");

    /**
     * The roles, by name, through which the current user holds such powers ({@code pg_has_role(..., 'MEMBER')}
     * includes the user itself, and is true of every role for a superuser).
     */
    private static final String QUERY = "SELECT r.rolname FROM pg_catalog.pg_roles r"
            + " WHERE (r.rolsuper OR r.rolname IN ('pg_read_server_files', 'pg_write_server_files',"
            + " 'pg_execute_server_program'))"
            + " AND pg_catalog.pg_has_role(current_user, r.oid, 'MEMBER') ORDER BY r.rolsuper DESC, r.rolname";

    private record Key(Object database, String user) {}

    private final Set<Key> checked = ConcurrentHashMap.newKeySet();

    /**
     * The roles through which {@code connection}'s user may act as a superuser or reach the server's files and
     * programs; empty when it cannot. One round trip. A connection outside a transaction stays so: when
     * auto-commit is off the query's transaction is rolled back.
     */
    public static List<String> powers(Connection connection) throws SQLException {
        List<String> roles = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            while (rs.next()) roles.add(rs.getString(1));
        } finally {
            if (!connection.getAutoCommit()) connection.rollback();
        }
        return roles;
    }

    /** The warning for {@code user} holding {@code powers} (see {@link #powers}), or null when it holds none. */
    public static String warning(String user, List<String> powers) {
        if (powers.isEmpty()) return null;
        return "Warden: the database user '" + user + "' is a superuser or may act with superuser or server-file"
                + " powers (through " + String.join(", ", powers.size() > 5 ? powers.subList(0, 5) : powers)
                + (powers.size() > 5 ? ", ..." : "") + "). Such a user can read the server's files and change"
                + " anything outside what Warden can stop; connect as an ordinary role that owns or is granted the"
                + " application's tables";
    }

    /**
     * Checks {@code connection}'s user the first time this (database, user) pair is seen, and logs the warning
     * (System.Logger {@code dev.warden.database}, WARNING). Never fails the connection: a check that cannot run
     * is skipped. Returns the warning logged now, or null (no warning, or already checked).
     */
    String checkOnce(Object database, String user, Connection connection) {
        if (!checked.add(new Key(database, user))) return null;
        String warning;
        try {
            warning = warning(user, powers(connection));
        } catch (SQLException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Warden: could not check the database user's powers: " + e.getMessage());
            return null;
        }
        if (warning != null) LOG.log(System.Logger.Level.WARNING, warning);
        return warning;
    }
}

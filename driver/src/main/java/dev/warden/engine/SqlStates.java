package dev.warden.engine;

import java.sql.SQLException;
import java.util.Set;

/**
 * The SQLStates Warden raises, shared by the driver and the gateway so both front doors answer alike.
 * Messages built here name roles, rules and table.column, never a value.
 */
public final class SqlStates {
    /** A policy denial: the role (or purpose) may not do this. */
    public static final String DENIED = "42501";
    /** A statement shape the engine cannot apply the policy to. */
    public static final String UNSUPPORTED = "0A000";
    /** Bad credentials or session parameters (unknown role, undeclared purpose). */
    public static final String BAD_SESSION = "28000";
    /** No real driver accepts the URL. */
    public static final String NO_DRIVER = "08001";
    /** A ciphertext that does not open (tampered with, or moved from another column). */
    public static final String DATA_CORRUPTED = "XX001";
    /** Keys cannot be loaded (missing or wrong master key, unreadable keyset). */
    public static final String KEY_UNAVAILABLE = "58030";
    /** The audit trail cannot be written and the policy says fail closed. */
    public static final String AUDIT_UNAVAILABLE = "58000";
    /** A value that does not fit a column's logical type. */
    public static final String INVALID_VALUE = "22023";
    /** The policy names something the live database lacks. */
    public static final String POLICY_MISMATCH = "42703";

    private SqlStates() {}

    public static SQLException denied(String message) {
        return new SQLException("Warden: " + message, DENIED);
    }

    public static SQLException unsupported(String message) {
        return new SQLException("Warden: " + message, UNSUPPORTED);
    }

    public static SQLException of(String sqlState, String message) {
        return new SQLException("Warden: " + message, sqlState);
    }

    public static SQLException of(String sqlState, String message, Throwable cause) {
        return new SQLException("Warden: " + message, sqlState, cause);
    }

    /** Answers about a statement, from Warden or from the database, never about the connection. */
    private static final Set<String> STATEMENT_REFUSALS = Set.of(DENIED, UNSUPPORTED, DATA_CORRUPTED);

    /**
     * True when {@code e} answers a statement and says nothing about its connection, which a pool must then keep:
     * a policy denial (42501), an unsupported shape (0A000: for PostgreSQL and pgjdbc a feature not supported), a
     * ciphertext that does not open (XX001), any other error Warden raised itself; never a connection exception
     * (class 08) or a server shutdown (57P01-57P03), whoever reports it. HikariCP takes 0A000 for a broken
     * connection: the pools of the driver's users ({@code WardenExceptionOverride}) and the gateway's ask this.
     */
    public static boolean leavesConnectionUsable(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
            return false;
        }
        return state != null && STATEMENT_REFUSALS.contains(state) || raisedByWarden(e);
    }

    /**
     * True for an error Warden raised itself (built here, or worded as these are): its message names rules and
     * columns, never a value, and it says nothing about the state of the database connection.
     */
    public static boolean raisedByWarden(SQLException e) {
        return e.getClass() == SQLException.class && e.getMessage() != null && e.getMessage().startsWith("Warden: ");
    }
}

package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.junit.jupiter.api.Test;

/** The one rule, for the driver's and the gateway's pools, of which errors leave a connection usable. */
class SqlStatesTest {

    @Test
    void statementRefusalsLeaveTheConnectionUsable() {
        assertTrue(SqlStates.leavesConnectionUsable(new SQLException("permission denied", "42501")));
        assertTrue(SqlStates.leavesConnectionUsable(new SQLException("feature not supported", "0A000")));
        assertTrue(SqlStates.leavesConnectionUsable(SqlStates.unsupported("a shape")));
        assertTrue(SqlStates.leavesConnectionUsable(new SQLException("cannot decrypt", "XX001")));
        // any error Warden raised itself, whatever its state
        assertTrue(SqlStates.leavesConnectionUsable(SqlStates.of(SqlStates.KEY_UNAVAILABLE, "no key")));
        assertTrue(SqlStates.leavesConnectionUsable(SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "no trail")));
    }

    @Test
    void connectionErrorsAndShutdownsDoNotWhoeverReportsThem() {
        assertFalse(SqlStates.leavesConnectionUsable(new SQLNonTransientConnectionException("gone", "08006")));
        assertFalse(SqlStates.leavesConnectionUsable(new SQLException("terminating connection", "57P01")));
        assertFalse(SqlStates.leavesConnectionUsable(SqlStates.of("08003", "closed")));
        assertFalse(SqlStates.leavesConnectionUsable(new SQLException("no state")));
        // an ordinary error: left to the pool's own rules
        assertFalse(SqlStates.leavesConnectionUsable(new SQLException("syntax error", "42601")));
    }
}

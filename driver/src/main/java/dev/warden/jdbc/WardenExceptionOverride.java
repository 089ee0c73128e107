package dev.warden.jdbc;

import com.zaxxer.hikari.SQLExceptionOverride;
import dev.warden.engine.SqlStates;

import java.sql.SQLException;

/**
 * HikariCP's {@link SQLExceptionOverride} for pools of {@code jdbc:warden:} connections: a refusal is an
 * answer to a statement, not news about the connection, so it must not make the pool evict it. Configure with
 * {@code exceptionOverrideClassName=dev.warden.jdbc.WardenExceptionOverride} (tested with HikariCP 6.3).
 *
 * <p>Why: HikariCP takes SQLState 0A000 for a broken connection (with 57P01-57P03 and class 08). For Warden,
 * 0A000 is a statement shape the policy cannot be applied to; for PostgreSQL and pgjdbc, a feature that is not
 * supported. Without this override every such refusal closes a good physical connection, logs a warning with
 * a stack trace, and opens a new one (a TLS and SCRAM handshake, and the engine's first-connection checks).
 *
 * <p>Kept (DO_NOT_EVICT): what {@link SqlStates#leavesConnectionUsable} says answers a statement (policy
 * denials 42501, unsupported shapes 0A000, ciphertexts that do not open XX001, any other error Warden raises
 * itself). Everything else is left to HikariCP's own rules (CONTINUE_EVICT), so a connection exception (class
 * 08) or a server shutdown (57P01-57P03) still evicts: a real broken connection goes, whoever reports it. The
 * gateway's pools use the same rule.
 *
 * <p>HikariCP is an optional dependency of the driver: this class is only loaded by a HikariCP pool.
 * Stateless and thread-safe.
 */
public final class WardenExceptionOverride implements SQLExceptionOverride {

    /** HikariCP instantiates it by class name. */
    public WardenExceptionOverride() {
    }

    @java.lang.Override // the bare name is SQLExceptionOverride's nested enum here
    public Override adjudicate(SQLException e) {
        return SqlStates.leavesConnectionUsable(e) ? Override.DO_NOT_EVICT : Override.CONTINUE_EVICT;
    }
}

package dev.warden.gateway.backend;

import dev.warden.engine.EngineSession;
import java.sql.Connection;
import java.sql.SQLException;

/** Where a session finds the {@link EngineSession} of its backend connection, once per connection. */
public final class EngineSessions {

    private EngineSessions() {}

    /**
     * The engine's session of {@code conn} (a {@code jdbc:warden:} connection, possibly inside a pool's proxy),
     * or, for a backend without Warden, {@link PlainBackendSession}.
     */
    public static EngineSession of(Connection conn) throws SQLException {
        return conn.isWrapperFor(EngineSession.class) ? conn.unwrap(EngineSession.class) : new PlainBackendSession(conn);
    }
}

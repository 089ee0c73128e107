package dev.warden.jdbc;

import java.sql.SQLException;

/**
 * The one rule for {@code unwrap} on every Warden wrapper: a caller may get the Warden object itself, never
 * the real driver's object beneath it, which would run SQL and return rows without the engine.
 */
final class Unwrapping {
    private Unwrapping() {}

    static <T> T unwrap(Object wrapper, Class<T> iface) throws SQLException {
        if (iface.isInstance(wrapper)) return iface.cast(wrapper);
        throw new SQLException("Warden does not expose the underlying " + iface.getName()
                + ": it would bypass the policy", "0A000");
    }
}

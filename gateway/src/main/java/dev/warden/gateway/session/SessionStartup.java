package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientEncoding;
import io.netty.buffer.ByteBuf;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a session does once, between AuthenticationOk and its first ReadyForQuery: takes the client's encoding
 * out of its startup parameters, applies the other parameters to the backend connection, and reports the
 * ParameterStatus values PostgreSQL reports at startup, in PostgreSQL's order. Stateless.
 */
final class SessionStartup {

    private SessionStartup() {
    }

    /**
     * The client's encoding from its startup parameters or {@code -c} options (22023, FATAL at startup, for one
     * the gateway does not know); taken out of the settings, since the backend connection stays UTF-8.
     */
    static ClientEncoding clientEncoding(Map<String, String> settings) throws SQLException {
        String requested = null;
        for (var it = settings.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase("client_encoding")) {
                requested = e.getValue();
                it.remove();
            }
        }
        return requested == null ? ClientEncoding.UTF8 : ClientEncoding.of(requested);
    }

    /** Startup parameters and {@code -c} options become session settings of the backend connection. */
    static void applySettings(Connection conn, Map<String, String> settings) throws SQLException {
        List<Map.Entry<String, String>> list = new ArrayList<>(settings.entrySet());
        if (list.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("select 1");
        for (int i = 0; i < list.size(); i++) {
            sql.append(", set_config(?, ?, false)");
        }
        try (PreparedStatement ps = conn.prepareStatement(sql.toString())) {
            int i = 1;
            for (var e : list) {
                ps.setString(i++, e.getKey());
                ps.setString(i++, e.getValue());
            }
            ps.executeQuery().close();
        }
    }

    /**
     * The ParameterStatus messages of the startup, from the backend's settings (an internal read of the gateway's,
     * not a statement of the client's, so not audited as one) and the session's own.
     */
    static void reportParameters(EngineSession engine, ByteBuf b, ClientEncoding encoding, String userName)
            throws SQLException {
        engine.readInternally("SELECT pg_catalog.current_setting('server_version'),"
                + " pg_catalog.current_setting('server_encoding'), pg_catalog.current_setting('TimeZone'),"
                + " pg_catalog.current_setting('IntervalStyle'), pg_catalog.current_setting('application_name'),"
                + " pg_catalog.current_setting('standard_conforming_strings'), pg_catalog.current_setting('DateStyle'),"
                + " pg_catalog.current_setting('default_transaction_read_only'),"
                + " pg_catalog.current_setting('in_hot_standby', true)", List.of(), rs -> {
            rs.next();
            BackendMessages.parameterStatus(b, "application_name", rs.getString(5));
            BackendMessages.parameterStatus(b, "client_encoding", encoding.name());
            BackendMessages.parameterStatus(b, "DateStyle", rs.getString(7));
            BackendMessages.parameterStatus(b, "default_transaction_read_only", rs.getString(8));
            if (rs.getString(9) != null) {
                BackendMessages.parameterStatus(b, "in_hot_standby", rs.getString(9));
            }
            BackendMessages.parameterStatus(b, "integer_datetimes", "on");
            BackendMessages.parameterStatus(b, "IntervalStyle", rs.getString(4));
            BackendMessages.parameterStatus(b, "is_superuser", "off");
            BackendMessages.parameterStatus(b, "server_encoding", rs.getString(2));
            BackendMessages.parameterStatus(b, "server_version", rs.getString(1));
            BackendMessages.parameterStatus(b, "session_authorization", userName);
            BackendMessages.parameterStatus(b, "standard_conforming_strings", rs.getString(6));
            BackendMessages.parameterStatus(b, "TimeZone", rs.getString(3));
            return null;
        });
    }
}

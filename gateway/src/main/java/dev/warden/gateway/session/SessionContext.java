package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.backend.BackendErrors;
import dev.warden.gateway.backend.BackendLoss;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientEncoding;
import dev.warden.gateway.wire.ClientOutput;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.List;

/**
 * What the parts of one session share: where replies go, the backend connection and its plain statement, the
 * transaction state, the result streamer, whether the session ended, and the few answers every part gives
 * alike (an error, the warnings of a statement, a refusal audited by the gateway itself, ParameterStatus after
 * a setting changed). The parts hold this instead of each other. Not thread-safe (the session's thread), except
 * {@link #gone}.
 */
final class SessionContext {

    /** Rows per backend fetch when the driver can stream (inside a transaction block). */
    static final int FETCH_SIZE = 1000;

    final ClientOutput out;
    final SessionServices services;
    final TransactionState transaction = new TransactionState(FETCH_SIZE);
    final ResultStreamer results;
    /** The backend connection: set by the start, null once closed. */
    Connection conn;
    /** What the session needs of {@link #conn} beyond JDBC ({@link #attach}). */
    EngineSession engine;
    /** The client's application_name as the backend reports it; set by the start. */
    ApplicationNameReport applicationName;
    /** The plain statement of simple queries outside a transaction block. */
    Statement simple;
    /** The client's encoding at startup, which RESET client_encoding returns to (the current one is {@code out}'s). */
    ClientEncoding defaultEncoding = ClientEncoding.UTF8;
    /** The backend connection went back to its pool. */
    boolean closed;
    /** The client left (or the backend was lost): what remains is skipped. Any thread. */
    volatile boolean gone;

    SessionContext(ClientOutput out, SessionServices services) {
        this.out = out;
        this.services = services;
        this.results = new ResultStreamer(out);
    }

    /** The backend connection is open: the parts that need its engine session get it, once. */
    void attach(Connection connection, EngineSession engineSession) {
        conn = connection;
        engine = engineSession;
        transaction.attach(connection, engineSession);
        results.attach(engineSession);
    }

    /**
     * A statement the gateway refuses itself, before the engine sees it, still leaves its one audit event
     * (through Warden); the refusal is returned for the caller to throw. Should the trail not take the event,
     * its 58000 is what the client gets: the statement does not run either way.
     */
    SQLException refusedHere(String sql, SQLException refusal) {
        try {
            if (engine != null) {
                engine.refusedByFrontDoor(sql, refusal);
            }
        } catch (SQLException auditFailure) {
            return auditFailure;
        }
        return refusal;
    }

    /**
     * Answers an error. A lost backend ends the session like PostgreSQL's own end: FATAL, the client connection
     * closed, and {@link ClientOutput.ClientGoneException} for the caller to stop at (as when the client left).
     */
    void sendError(SQLException e) {
        if (gone) {
            throw new ClientOutput.ClientGoneException();
        }
        if (BackendLoss.isLost(e, conn)) {
            // like PostgreSQL when its backend goes away: FATAL, then the client connection is closed
            BackendMessages.errorOrNotice(out.buf(), 'E', BackendLoss.fatal(e));
            out.flush();
            out.closeClient();
            gone = true;
            throw new ClientOutput.ClientGoneException();
        }
        BackendMessages.errorOrNotice(out.buf(), 'E', BackendErrors.of(e));
        transaction.errorSent();
    }

    void sendWarnings(Statement st) throws SQLException {
        SQLWarning w = st.getWarnings();
        if (w == null) {
            return;
        }
        for (; w != null; w = w.getNextWarning()) {
            BackendMessages.errorOrNotice(out.buf(), 'N', BackendErrors.of(w));
        }
        st.clearWarnings();
    }

    /** Sends what was answered in the old encoding, then reports the new one (when it changed) and uses it. */
    void switchEncoding(ClientEncoding next) {
        if (next.name().equals(out.encoding().name())) {
            return;
        }
        out.flush();
        out.encoding(next);
        BackendMessages.parameterStatus(out.buf(), "client_encoding", next.name());
    }

    /** After SET/RESET of a setting PostgreSQL reports, tell the client its new value. */
    void reportSettings(StatementKind k) throws SQLException {
        String changed = k.reportedSettingChanged();
        if ("ALL".equals(changed) || k.first().equals("DISCARD") && k.words().contains("ALL")) {
            switchEncoding(defaultEncoding); // RESET ALL, DISCARD ALL: back to the startup encoding
        }
        if (changed == null) {
            return;
        }
        if (applicationName != null) {
            // the statements after it in the same query run under the new name
            if (changed.equals("ALL") || changed.equalsIgnoreCase("application_name")) {
                applicationName.setByStatement(engine, out.buf());
            } else {
                applicationName.sync(engine, out.buf());
            }
        }
        // application_name: ApplicationNameReport, before ReadyForQuery (it also follows a rolled-back SET)
        String[][] names = {{"TimeZone", "TimeZone"},
                {"IntervalStyle", "IntervalStyle"}, {"DateStyle", "DateStyle"},
                {"standard_conforming_strings", "standard_conforming_strings"}};
        for (String[] n : names) {
            if (!changed.equals("ALL") && !n[0].equalsIgnoreCase(changed)) {
                continue;
            }
            // the gateway's own read (not audited as the client's statement), of a setting named here, not by the client
            String value = engine.readInternally("SELECT pg_catalog.current_setting(?)", List.of(n[1]), rs -> {
                rs.next();
                return rs.getString(1);
            });
            BackendMessages.parameterStatus(out.buf(), n[0], value);
        }
    }

    /** Closes {@code c}, if any, ignoring any failure. */
    static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing is best effort; the connection reset at session end cleans up the rest
            }
        }
    }
}

package dev.warden.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The table side of {@link DatabaseAuditSink}: one row per event, a batch per transaction, over a connection of
 * its own. The full line (JSON with seq, prev and hash) is stored in {@code event_json}, which is what
 * verification and reports read; the other columns are copies for ad-hoc SQL.
 *
 * <p>Not thread-safe: used by the writer thread only (see {@link AuditBatchTarget}).
 */
final class JdbcAuditTarget implements AuditBatchTarget {

    private static final Pattern TABLE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final String url;
    private final Properties properties;
    private final String table;
    private final ChainKey key;
    private final Clock clock;
    private Connection connection;
    private PreparedStatement insert;
    private AuditChain chain;

    JdbcAuditTarget(String url, Properties properties, String table, ChainKey key, Clock clock) {
        this.url = url;
        this.properties = properties == null ? new Properties() : properties;
        this.table = checkedTableName(table);
        this.key = key;
        this.clock = clock;
    }

    /** The table name if it is a plain identifier, optionally schema-qualified (it is put in SQL text). */
    static String checkedTableName(String table) {
        if (table == null || !TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("audit table name must be an identifier (schema.table allowed)");
        }
        return table;
    }

    @Override
    public String describe() {
        int q = url.indexOf('?'); // parameters may hold a password
        return (q < 0 ? url : url.substring(0, q)) + " table " + table;
    }

    @Override
    public List<AuditEvent> open() throws IOException {
        closeQuietly();
        try {
            connection = DriverManager.getConnection(url, properties);
            boundNetworkWaits(connection);
            connection.setAutoCommit(false);
            List<AuditEvent> alarms = new ArrayList<>();
            if (chain == null) {
                createTable();
            }
            try (Statement s = connection.createStatement();
                 ResultSet rs = s.executeQuery("SELECT seq, hash, event_type FROM " + table
                         + " ORDER BY seq DESC LIMIT 1")) {
                long seq = 0;
                String hash = "";
                String type = null;
                if (rs.next()) {
                    seq = rs.getLong(1);
                    hash = rs.getString(2);
                    type = rs.getString(3);
                }
                if (chain == null) {
                    if (type != null && !AuditEvent.SEAL.equals(type)) {
                        alarms.add(AuditEvent.alarm(clock.instant(), "previous run ended without a seal after seq "
                                + seq + " in " + describe() + " (crash or kill)"));
                    }
                    chain = new AuditChain(key, seq, hash);
                } else if (seq != chain.seq() || !hash.equals(chain.hash())) {
                    // someone else wrote (or deleted) rows while we were away: continue from what is stored
                    alarms.add(AuditEvent.alarm(clock.instant(), "the audit table ended at seq " + seq
                            + " on reconnect where this writer expected seq " + chain.seq()
                            + "; continuing after the stored seq"));
                    chain = new AuditChain(key, seq, hash);
                }
            }
            connection.commit();
            insert = connection.prepareStatement("INSERT INTO " + table + " (seq, prev, hash, event_type, event_time,"
                    + " event_id, session_id, database_user, role_name, purpose, client, client_address,"
                    + " statement_kind, fingerprint, policy_version, decision, reason, sql_state, row_count,"
                    + " duration_micros, event_json) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
            return alarms;
        } catch (SQLException e) {
            closeQuietly();
            throw io(e);
        }
    }

    /** How long one call may wait on the database's answer: a server that stops answering fails the batch. */
    static final int NETWORK_TIMEOUT_MILLIS = 10_000;

    /**
     * Bounds each call's wait for the database (JDBC's network timeout), so that a database gone silent (stopped,
     * unplugged) fails the write, which is then retried, instead of holding the writer thread for ever. A driver
     * without network timeouts is used as it is.
     */
    private static void boundNetworkWaits(Connection c) {
        try {
            c.setNetworkTimeout(Runnable::run, NETWORK_TIMEOUT_MILLIS);
        } catch (SQLException | UnsupportedOperationException | AbstractMethodError e) {
            // not supported by this driver: its own timeouts apply
        }
    }

    private void createTable() throws SQLException {
        String index = table.substring(table.indexOf('.') + 1) + "_time";
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (seq BIGINT PRIMARY KEY, prev VARCHAR NOT NULL,"
                    + " hash VARCHAR NOT NULL, event_type VARCHAR NOT NULL, event_time TIMESTAMP WITH TIME ZONE,"
                    + " event_id VARCHAR, session_id VARCHAR, database_user VARCHAR, role_name VARCHAR,"
                    + " purpose VARCHAR, client VARCHAR, client_address VARCHAR, statement_kind VARCHAR,"
                    + " fingerprint VARCHAR, policy_version VARCHAR, decision VARCHAR, reason VARCHAR,"
                    + " sql_state VARCHAR, row_count BIGINT, duration_micros BIGINT, event_json VARCHAR NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS " + index + " ON " + table + " (event_time)");
        }
        connection.commit();
    }

    @Override
    public void write(List<AuditEvent> events) throws PartialWriteException {
        try {
            for (AuditEvent e : events) {
                String prev = chain.hash();
                byte[] line = chain.append(e);
                int i = 1;
                insert.setLong(i++, chain.seq());
                insert.setString(i++, prev);
                insert.setString(i++, chain.hash());
                insert.setString(i++, e.type());
                if (e.time() == null) {
                    insert.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    insert.setObject(i++, OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC));
                }
                insert.setString(i++, e.eventId());
                insert.setString(i++, e.sessionId());
                insert.setString(i++, e.databaseUser());
                insert.setString(i++, e.role());
                insert.setString(i++, e.purpose());
                insert.setString(i++, e.client());
                insert.setString(i++, e.clientAddress());
                insert.setString(i++, e.statementKind());
                insert.setString(i++, e.fingerprint());
                insert.setString(i++, e.policyVersion());
                insert.setString(i++, e.decision());
                insert.setString(i++, e.reason());
                insert.setString(i++, e.sqlState());
                insert.setLong(i++, e.rows());
                insert.setLong(i++, e.durationMicros());
                insert.setString(i, new String(line, 0, line.length - 1, StandardCharsets.UTF_8));
                insert.addBatch();
            }
            insert.executeBatch();
            connection.commit();
            chain.mark();
        } catch (SQLException | RuntimeException e) {
            chain.reset();
            try {
                if (connection != null) {
                    connection.rollback();
                }
            } catch (SQLException ignored) {
                // the connection is probably gone; open() replaces it
            }
            throw new PartialWriteException(0, e instanceof SQLException sql ? io(sql)
                    : new IOException("audit insert failed: " + e.getClass().getName(), e));
        }
    }

    @Override
    public void force() {
        // each batch is committed: durable as the database makes commits
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection
        }
        connection = null;
        insert = null;
    }

    /** Only the SQLState and the first line of the message: driver details may quote row values. */
    private IOException io(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        return new IOException("SQLState " + e.getSQLState() + ": " + message, e);
    }
}

package dev.warden.audit;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * An audit sink that writes the hash chain into a table (default {@code warden_audit}, created if absent) over
 * its own JDBC connection, never the audited one: a rolled-back application transaction cannot take audit rows
 * with it, and the audit connection's credentials can be insert-only. Same queue, batching, durability and
 * failure modes as {@link JsonLinesAuditSink} (see {@link BatchingAuditWriter}); a batch is one transaction,
 * so sync durability means committed.
 *
 * <p>Columns: {@code seq} (primary key), {@code prev}, {@code hash}, {@code event_type}, {@code event_time},
 * {@code event_id}, {@code session_id}, {@code database_user}, {@code role_name}, {@code purpose}, {@code client},
 * {@code client_address}, {@code statement_kind}, {@code fingerprint}, {@code policy_version}, {@code decision},
 * {@code reason}, {@code sql_state}, {@code row_count}, {@code duration_micros} and {@code event_json}, the full
 * JSON line that the MAC covers (verification and reports read only this column).
 *
 * <p>Thread-safe. One writer per table: a second one is detected on reconnect (an alarm) but not prevented.
 */
public final class DatabaseAuditSink extends WriterBackedAuditSink {

    /**
     * @param jdbcUrl    a plain JDBC URL of the audit database (its driver on the class path)
     * @param properties connection properties (user, password), may be null
     * @param table      table name, optionally schema-qualified
     */
    public record Config(String jdbcUrl, Properties properties, String table, Durability durability,
                         FailureMode onFailure, int queueCapacity, Duration flushInterval) {
        public Config {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (jdbcUrl.regionMatches(true, 0, "jdbc:warden:", 0, "jdbc:warden:".length())) {
                // audit rows written through Warden would be audited in turn, without end
                throw new IllegalArgumentException("the audit table needs a plain JDBC URL, not jdbc:warden:");
            }
            JdbcAuditTarget.checkedTableName(table);
            Objects.requireNonNull(durability, "durability");
            Objects.requireNonNull(onFailure, "onFailure");
            if (queueCapacity < 1 || flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
                throw new IllegalArgumentException("queueCapacity >= 1, flushInterval > 0");
            }
        }

        /** Table {@code warden_audit}, async, fail-closed, 8192 queued events. */
        public static Config defaults(String jdbcUrl, Properties properties) {
            return new Config(jdbcUrl, properties, DEFAULT_TABLE, Durability.ASYNC, FailureMode.FAIL_CLOSED, 8192,
                    Duration.ofMillis(50));
        }
    }

    public static final String DEFAULT_TABLE = "warden_audit";

    /**
     * How long {@link #close} waits for the seal row once the database stops answering: at JVM exit the database
     * (an embedded one, a server shutting down) may be gone already, and a seal retried against it would hold the
     * exit. After it, close gives up and says what was not written.
     */
    static final java.time.Duration SEAL_TIMEOUT = java.time.Duration.ofSeconds(3);

    public DatabaseAuditSink(Config config, ChainKey key) {
        this(config, key, AuditHealthListener.NONE, Clock.systemUTC());
    }

    public DatabaseAuditSink(Config config, ChainKey key, AuditHealthListener listener, Clock clock) {
        super(new BatchingAuditWriter(new JdbcAuditTarget(config.jdbcUrl(), config.properties(), config.table(), key,
                clock), config.durability(), config.onFailure(), config.queueCapacity(), config.flushInterval(), clock,
                listener, "warden-audit-db-" + config.table()));
    }

    /**
     * Writes everything queued and the seal row; gives up after {@link #SEAL_TIMEOUT} of the database not answering
     * (see there), throwing an {@link java.io.UncheckedIOException} that says how many events were not written.
     */
    @Override
    public void close() {
        writer().close(SEAL_TIMEOUT);
    }
}

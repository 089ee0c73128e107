package dev.warden.engine;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSink;
import dev.warden.audit.AuditUnavailableException;
import dev.warden.metrics.EngineMeters;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The audit record of one statement execution, written exactly once: when it completes (with rows returned
 * or affected), fails (in the database, or while its result is read: a value that cannot be decrypted, a
 * cancelled or lost fetch), or is refused. A failure found while reading rows is written when found, so the
 * record says {@code failed} with that SQLState; closing the result afterwards writes nothing more.
 * Not thread-safe (one per execution).
 */
public final class StatementAudit {

    private final AuditSink sink;
    private final EngineMeters meters;
    private final Session session;
    private final GuardedStatement statement;
    private final String policyVersion;
    private final long startNanos = System.nanoTime();
    private final Instant start = Instant.now();
    private boolean written;
    private long rowsAffected = -1;  // set when the record waits for generated keys to be read
    private java.util.List<String> rowKeyHashes;  // created on the first hashed row key

    /** At most this many row-key hashes per event: an audit line must stay a line. */
    static final int MAX_ROW_KEYS = 1000;

    private final String callSite;  // observe mode, a statement enforcement would change: where it was run; else null

    StatementAudit(AuditSink sink, EngineMeters meters, Session session, GuardedStatement statement,
                   String policyVersion) {
        this(sink, meters, session, statement, policyVersion, null);
    }

    /** @param callSite where the application ran the statement (observe mode's {@code would-*} events), or null */
    StatementAudit(AuditSink sink, EngineMeters meters, Session session, GuardedStatement statement,
                   String policyVersion, String callSite) {
        this.sink = sink;
        this.meters = meters;
        this.session = session;
        this.statement = statement;
        this.policyVersion = policyVersion;
        this.callSite = callSite;
    }

    /** The kind of a statement that was not compiled (refused before analysis), as its event says. */
    private static final String OTHER = dev.warden.sql.StatementKind.OTHER.name();

    /** The decision of a statement the policy allowed and that ran to its end. */
    public static final String ALLOWED = "allowed";
    /** The decision of a statement the policy allowed and that failed: in the database or reading its result. */
    public static final String FAILED = "failed";
    /** The decision of a statement Warden refused: it never ran. */
    public static final String REFUSED = "refused";

    /** The statement ran; {@code rows} returned or affected (-1 when unknown). */
    public void succeeded(long rows) throws SQLException {
        write(rows, ALLOWED, null, null);
    }

    /**
     * The execution affected {@code rows} and left generated keys to read: the record is written once they
     * have been read or closed (so that it can carry their hashed row keys), and reports these rows whatever
     * count that last call passes.
     */
    public void affected(long rows) {
        rowsAffected = rows;
    }

    /** The database failed the statement. */
    public void failed(SQLException error) throws SQLException {
        write(-1, FAILED, null, error.getSQLState());
    }

    /**
     * Reading the result failed after {@code rowsRead} rows had been returned in full (a stored value that
     * cannot be decrypted, a fetch cancelled or lost): the statement is recorded as failed with the error's
     * SQLState, and {@code rowsRead} as its rows. Nothing is written when the record already was.
     */
    public void failedReading(long rowsRead, SQLException error) throws SQLException {
        write(rowsRead, FAILED, null, error.getSQLState());
    }

    /** Adds one hashed row key (deduplicated, bounded by {@link #MAX_ROW_KEYS}). */
    void rowKey(String hash) {
        if (rowKeyHashes == null) rowKeyHashes = new java.util.ArrayList<>();
        if (rowKeyHashes.size() < MAX_ROW_KEYS && !rowKeyHashes.contains(hash)) rowKeyHashes.add(hash);
    }

    static void refused(AuditSink sink, EngineMeters meters, Session session, String fingerprint,
                        CompiledStatement compiled, String policyVersion, SQLException refusal) throws SQLException {
        meters.refusal(compiled == null ? OTHER : compiled.kind(), refusal.getSQLState());
        if (sink == null) return;
        record(sink, event(session, fingerprint, compiled, policyVersion, Instant.now(), 0, -1, REFUSED,
                refusal.getMessage(), refusal.getSQLState(), List.of(), null));
    }

    static boolean endsTransaction(String sql) {
        String head = sql.stripLeading();
        return head.regionMatches(true, 0, "commit", 0, 6) || head.regionMatches(true, 0, "end", 0, 3);
    }

    private void write(long rows, String decision, String reason, String sqlState) throws SQLException {
        if (written) return;
        written = true;
        meters.statement(statement.compiled() == null ? OTHER : statement.compiled().kind(),
                ALLOWED.equals(decision) ? EngineMeters.Decision.ALLOWED : EngineMeters.Decision.FAILED);
        int catalogEffect = statement.catalogEffect();
        if (catalogEffect == GuardedStatement.CHANGES_SCHEMA) {
            // the engine dropped what it derived from table shapes (and the server-side objects: a CREATE OPERATOR
            // or FUNCTION passes through) before the change ran; drop again now that it has run, as another
            // session may have read the old catalog in between
            session.database().invalidate();
            session.schemaChanged();
        } else if (catalogEffect == GuardedStatement.ENDS_TRANSACTION && session.takeSchemaChange()) {
            // other sessions see the change only now: they may have re-read the catalog before the commit
            session.database().invalidate();
        }
        if (sink == null) return;
        if (rowsAffected >= 0 && sqlState == null) rows = rowsAffected;  // a failure reports its own count
        long micros = (System.nanoTime() - startNanos) / 1000;
        CompiledStatement compiled = statement.compiled();
        Observed observed = statement.observed();
        if (observed != null) {
            // observe mode: the statement ran as written; the record says what enforcement would have done
            if (observed.verdict() != null) compiled = observed.verdict();
            if (observed.decision() != null) {
                reason = sqlState == null ? observed.reason()
                        : observed.reason() + "; it then failed in the database (SQLState " + sqlState + ")";
                if (observed.sqlState() != null) sqlState = observed.sqlState();
                decision = observed.decision();
            }
        }
        AuditEvent event = event(session, statement.fingerprint(), compiled, policyVersion, start, micros,
                rows, decision, reason, sqlState, rowKeyHashes == null ? List.of() : List.copyOf(rowKeyHashes),
                callSite);
        if (statement.touchesProtected()) {
            record(sink, event);
        } else {
            try {
                sink.record(event);
            } catch (AuditUnavailableException e) {
                // no protected data involved: the statement stands; the sink counts refused events in its
                // recovery alarm, so the gap is on the record
            }
        }
    }

    /** Event ids: a random per-process prefix and a counter, as UUID.randomUUID() costs a SecureRandom call. */
    private static final String ID_PREFIX = Long.toHexString(new java.security.SecureRandom().nextLong() >>> 16) + "-";
    private static final java.util.concurrent.atomic.AtomicLong NEXT_ID = new java.util.concurrent.atomic.AtomicLong();

    private static AuditEvent event(Session session, String fingerprint, CompiledStatement compiled,
                                    String policyVersion, Instant time, long micros, long rows, String decision,
                                    String reason, String sqlState, List<String> rowKeyHashes, String callSite) {
        return new AuditEvent("statement", time.truncatedTo(ChronoUnit.MICROS), ID_PREFIX + NEXT_ID.incrementAndGet(),
                session.id(), session.user(), session.role(), session.purpose(), session.client(),
                session.clientAddress(), compiled == null ? OTHER : compiled.kind(), fingerprint, policyVersion,
                compiled == null ? List.of() : compiled.tables(),
                compiled == null ? Map.of() : compiled.columnsRead(),
                compiled == null ? List.of() : compiled.columnsWritten(),
                compiled == null ? List.of() : compiled.columnsFiltered(),
                rows, decision, reason == null && compiled != null ? compiled.note() : reason, sqlState, micros,
                rowKeyHashes, callSite);
    }

    private static void record(AuditSink sink, AuditEvent event) throws SQLException {
        try {
            sink.record(event);
        } catch (AuditUnavailableException e) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail cannot be written: " + e.getMessage(), e);
        }
    }
}

package dev.warden.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One audit record. Never holds a protected value: statements appear only as their normalised fingerprint
 * (every literal replaced by {@code ?}), row keys only as keyed hashes.
 *
 * @param type           "statement", or a key/policy event: "policy-loaded", "keyset-opened", "key-rotated",
 *                       "reencryption", "alarm"
 * @param time           UTC, microsecond precision
 * @param columnsRead    table.column to how it was shown: "plaintext", "masked" or "denied"
 * @param rows           rows returned or affected, -1 when unknown
 * @param decision       "allowed" (ran to its end), "failed" (allowed, then failed in the database or while its
 *                       result was read; {@code sqlState} says how) or "refused" (never ran); in observe mode,
 *                       "would-refuse" ({@code sqlState} and {@code reason} the refusal enforcement would have
 *                       raised), "would-mask" or "would-encrypt" for a statement that ran as written
 * @param reason         why it was refused (names rule and column, never a value), else null
 * @param sqlState       the refusal's SQLState, or the database's error SQLState, else null
 * @param rowKeyHashes   keyed hashes of the primary keys of protected rows returned (policy switch), or empty
 * @param callSite       in observe mode, for a {@code would-*} decision: where the application ran the statement
 *                       ({@code class.method(File.java:line)}, or {@code client <application_name>@<address>} through
 *                       the gateway); else null, and then absent from the trail's line
 */
public record AuditEvent(String type, Instant time, String eventId, String sessionId, String databaseUser,
                         String role, String purpose, String client, String clientAddress, String statementKind,
                         String fingerprint, String policyVersion, List<String> tables,
                         Map<String, String> columnsRead, List<String> columnsWritten,
                         List<String> columnsFiltered, long rows, String decision, String reason,
                         String sqlState, long durationMicros, List<String> rowKeyHashes, String callSite) {

    /** An event without a call site (every event but an observe mode's {@code would-*} one). */
    public AuditEvent(String type, Instant time, String eventId, String sessionId, String databaseUser,
                      String role, String purpose, String client, String clientAddress, String statementKind,
                      String fingerprint, String policyVersion, List<String> tables,
                      Map<String, String> columnsRead, List<String> columnsWritten,
                      List<String> columnsFiltered, long rows, String decision, String reason,
                      String sqlState, long durationMicros, List<String> rowKeyHashes) {
        this(type, time, eventId, sessionId, databaseUser, role, purpose, client, clientAddress, statementKind,
                fingerprint, policyVersion, tables, columnsRead, columnsWritten, columnsFiltered, rows, decision, reason,
                sqlState, durationMicros, rowKeyHashes, null);
    }

    /** Observe mode: enforcement would have refused the statement, which ran as written. */
    public static final String WOULD_REFUSE = "would-refuse";
    /** Observe mode: enforcement would have masked (or withheld) a result column the statement read. */
    public static final String WOULD_MASK = "would-mask";
    /** Observe mode: enforcement would have encrypted values the statement sends (written or compared). */
    public static final String WOULD_ENCRYPT = "would-encrypt";

    /** A statement was run or refused. */
    public static final String STATEMENT = "statement";
    /**
     * A {@code warden keys reencrypt} run over one table: {@code tables} that table, {@code columnsWritten} the
     * columns it rewrote, {@code rows} the rows it updated, {@code reason} the outcome, counts per column and the
     * key ids values moved from and to, {@code sqlState} the error that stopped it. Never a value or a row key.
     */
    public static final String REENCRYPTION = "reencryption";
    /**
     * A front door (the gateway) refused a client before it had a session: wrong password, unknown user,
     * refused authentication method, rate limit. {@code databaseUser} the login name given, {@code clientAddress}
     * where it came from, {@code reason} why, {@code sqlState} what the client was told; never a password.
     */
    public static final String AUTHENTICATION = "authentication";
    /** The trail itself had a problem (outage, torn tail, unsealed previous run); {@code reason} says what. */
    public static final String ALARM = "alarm";
    /** The last event of a cleanly closed trail: its absence at the end means the tail may have been cut. */
    public static final String SEAL = "seal";
    /**
     * The last event of a file closed by rotation: the chain goes on in the next file, so a chain whose last
     * event is this one has lost its newest file(s). Never the end of a complete chain, unlike {@link #SEAL}.
     */
    public static final String FILE_ROTATED = "file-rotated";
    /**
     * The first event of a new chain of a multi-writer trail: {@code reason} names the chain and the instance
     * writing it ({@code chain warden-audit@gw1 of instance gw1}).
     */
    public static final String CHAIN_STARTED = "chain-started";

    /**
     * An event about the trail itself (no session, decision null), written by a sink (never by the engine). {@code reason} must not hold
     * event content or protected values: it names files, sequence numbers and causes only.
     */
    public static AuditEvent alarm(Instant time, String reason) {
        return system(ALARM, time, reason);
    }

    /** The seal written by a clean close. */
    public static AuditEvent seal(Instant time) {
        return system(SEAL, time, "trail closed cleanly");
    }

    /** The mark that ends a file at rotation. */
    public static AuditEvent fileRotated(Instant time) {
        return system(FILE_ROTATED, time, "file rotated; the chain continues in the next file");
    }

    /** The first event of chain {@code chain}, written by instance {@code instance}. */
    public static AuditEvent chainStarted(Instant time, String chain, String instance) {
        return system(CHAIN_STARTED, time, "chain " + chain + " of instance " + instance);
    }

    private static AuditEvent system(String type, Instant time, String reason) {
        return new AuditEvent(type, time.truncatedTo(ChronoUnit.MICROS), UUID.randomUUID().toString(), null, null,
                null, null, "warden", null, null, null, null, List.of(), Map.of(), List.of(), List.of(), -1,
                null, reason, null, 0, List.of());
    }
}

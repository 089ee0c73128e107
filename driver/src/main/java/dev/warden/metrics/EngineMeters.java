package dev.warden.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The counters of one engine, recorded on the statement path and read by a publisher ({@link MicrometerBinding},
 * {@link JmxMetrics}) when scraped. Recording costs a {@link LongAdder} increment: the counter of a kind and
 * decision is found by a scan of a small array (the kind names are the engine's enum constants, compared by
 * identity first), never by a registry lookup or a map, and nothing is allocated. Thread-safe.
 *
 * <p>Readings the engine already keeps elsewhere (the audit sink's queue and event counts, the keyset reloader's
 * rejections) are given as suppliers ({@link #readAuditFrom}, {@link #readKeysetRejectionsFrom}) and read only
 * when scraped.
 */
public final class EngineMeters {

    /** The decisions of a statement, as in its audit event. */
    public enum Decision {
        ALLOWED, FAILED, REFUSED;

        /** The tag value: the audit trail's word. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a reload is of. */
    public enum Reloaded { KEYSET, POLICY }

    /** The tag value {@link #refusal} counts an SQLState outside the known ones under. */
    public static final String OTHER_STATE = "other";

    private final String name;
    private final String[] kinds;           // the last one takes any kind not in the list
    private final LongAdder[] statements;   // by kind * 3 + decision
    private final String[] refusalStates;   // the last one is OTHER_STATE
    private final LongAdder[] refusals;
    private final LongAdder guardCount = new LongAdder();
    private final LongAdder timedGuards = new LongAdder();
    private final LongAdder timedNanos = new LongAdder();
    /** Set once enough guards were timed to sample; a plain field, read racily (a few more samples at worst). */
    private boolean sampling;
    private final LongAdder encrypted = new LongAdder();
    private final LongAdder decrypted = new LongAdder();
    private final LongAdder decryptFailures = new LongAdder();
    private final LongAdder keysetReloads = new LongAdder();
    private final LongAdder policyReloads = new LongAdder();
    private final LongAdder policyRejections = new LongAdder();
    private volatile LongSupplier keysetRejections = () -> 0;
    private volatile LongSupplier auditQueued = () -> 0;
    private volatile LongSupplier auditWritten = () -> 0;
    private volatile LongSupplier auditDropped = () -> 0;
    private volatile BooleanSupplier auditHealthy = () -> true;

    /**
     * @param name          what the meters are tagged with ({@code policy}): the engine's policy location
     * @param kinds         the statement kinds, the last one standing for any other (e.g. {@code OTHER})
     * @param refusalStates the SQLStates a refusal is counted under; any other is counted as {@value #OTHER_STATE}
     */
    public EngineMeters(String name, List<String> kinds, List<String> refusalStates) {
        this.name = name;
        this.kinds = kinds.toArray(String[]::new);
        this.statements = adders(this.kinds.length * 3);
        String[] states = refusalStates.toArray(new String[refusalStates.size() + 1]);
        states[states.length - 1] = OTHER_STATE;
        this.refusalStates = states;
        this.refusals = adders(states.length);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) adders[i] = new LongAdder();
        return adders;
    }

    // ---- recording (the engine's calls) ----

    /** One statement of {@code kind} ended with {@code decision} (once per statement, as its audit event). */
    public void statement(String kind, Decision decision) {
        statements[kindIndex(kind) * 3 + decision.ordinal()].increment();
    }

    /** One statement of {@code kind} was refused with {@code sqlState} (counted as a statement too). */
    public void refusal(String kind, String sqlState) {
        statement(kind, Decision.REFUSED);
        refusals[stateIndex(sqlState)].increment();
    }

    /** What {@link #guardStarting} returns for a guard that is counted but not timed. */
    public static final long NOT_TIMED = Long.MIN_VALUE;
    /** After the first {@value #ALWAYS_TIMED} guards, one in {@code SAMPLE_MASK + 1} is timed. */
    private static final int ALWAYS_TIMED = 64;
    private static final int SAMPLE_MASK = 7;

    /**
     * A guard (making one statement text safe to send: lex, analysis on a miss, policy, literal encryption) begins:
     * counted, and timed when sampled. Two clock reads cost about 0.15 µs on this project's (virtualised) machine,
     * a tenth of a cached guard, so after the first {@value #ALWAYS_TIMED} guards only one in eight is timed and the
     * total time is estimated from them ({@link #guardNanos}).
     *
     * @return the start time to pass to {@link #guardEnded}, or {@link #NOT_TIMED}
     */
    public long guardStarting() {
        guardCount.increment();
        if (sampling && (java.util.concurrent.ThreadLocalRandom.current().nextInt() & SAMPLE_MASK) != 0) return NOT_TIMED;
        return System.nanoTime();
    }

    /** The guard begun with {@code start} (from {@link #guardStarting}) ended. */
    public void guardEnded(long start) {
        if (start == NOT_TIMED) return;
        timed(System.nanoTime() - start);
    }

    /** One guard took {@code nanos} (counted and timed). */
    public void guarded(long nanos) {
        guardCount.increment();
        timed(nanos);
    }

    private void timed(long nanos) {
        timedGuards.increment();
        timedNanos.add(nanos);
        if (!sampling && timedGuards.sum() >= ALWAYS_TIMED) sampling = true;
    }

    /** {@code n} values were encrypted. */
    public void encrypted(int n) {
        encrypted.add(n);
    }

    /** One stored value was decrypted. */
    public void decrypted() {
        decrypted.increment();
    }

    /** One stored value could not be decrypted (XX001). */
    public void decryptFailed() {
        decryptFailures.increment();
    }

    /** A new keyset or policy is in use. */
    public void reloaded(Reloaded what) {
        (what == Reloaded.KEYSET ? keysetReloads : policyReloads).increment();
    }

    /** A changed policy file was rejected (the policy in use stays). */
    public void policyRejected() {
        policyRejections.increment();
    }

    /** Where the audit trail's readings come from (the engine's sink); read when scraped. */
    public void readAuditFrom(LongSupplier queued, LongSupplier written, LongSupplier dropped, BooleanSupplier healthy) {
        this.auditQueued = queued;
        this.auditWritten = written;
        this.auditDropped = dropped;
        this.auditHealthy = healthy;
    }

    /** Where the count of rejected keyset files comes from (the keyset reloader); read when scraped. */
    public void readKeysetRejectionsFrom(LongSupplier rejections) {
        this.keysetRejections = rejections;
    }

    private int kindIndex(String kind) {
        String[] k = kinds;
        for (int i = 0; i < k.length; i++) {
            if (k[i] == kind) return i;  // the engine passes its enum's names: the same instances
        }
        for (int i = 0; i < k.length; i++) {
            if (k[i].equals(kind)) return i;
        }
        return k.length - 1;
    }

    private int stateIndex(String state) {
        for (int i = 0; i < refusalStates.length - 1; i++) {
            if (refusalStates[i].equals(state)) return i;
        }
        return refusalStates.length - 1;
    }

    // ---- reading (publishers) ----

    /** The engine's name the meters are tagged with. */
    public String name() {
        return name;
    }

    public List<String> kinds() {
        return List.of(kinds);
    }

    public List<String> refusalStates() {
        return List.of(refusalStates);
    }

    public long statements(String kind, Decision decision) {
        return statements[kindIndex(kind) * 3 + decision.ordinal()].sum();
    }

    /** Statements with {@code decision}, of every kind. */
    public long statements(Decision decision) {
        long sum = 0;
        for (int i = decision.ordinal(); i < statements.length; i += 3) sum += statements[i].sum();
        return sum;
    }

    public long refusals(String sqlState) {
        return refusals[stateIndex(sqlState)].sum();
    }

    /** Refusals by SQLState, in the order given at construction, {@value #OTHER_STATE} last. */
    public Map<String, Long> refusalsByState() {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (int i = 0; i < refusalStates.length; i++) byState.put(refusalStates[i], refusals[i].sum());
        return byState;
    }

    public long guardCount() {
        return guardCount.sum();
    }

    /** The total time of every guard: exact while every guard is timed, then estimated from the timed ones. */
    public long guardNanos() {
        long timed = timedGuards.sum();
        if (timed == 0) return 0;
        return Math.round(timedNanos.sum() * ((double) guardCount.sum() / timed));
    }

    public long valuesEncrypted() {
        return encrypted.sum();
    }

    public long valuesDecrypted() {
        return decrypted.sum();
    }

    public long decryptFailures() {
        return decryptFailures.sum();
    }

    public long reloads(Reloaded what) {
        return (what == Reloaded.KEYSET ? keysetReloads : policyReloads).sum();
    }

    public long rejections(Reloaded what) {
        return what == Reloaded.KEYSET ? keysetRejections.getAsLong() : policyRejections.sum();
    }

    public long auditQueued() {
        return auditQueued.getAsLong();
    }

    public long auditWritten() {
        return auditWritten.getAsLong();
    }

    public long auditDropped() {
        return auditDropped.getAsLong();
    }

    public boolean auditHealthy() {
        return auditHealthy.getAsBoolean();
    }
}

package dev.warden.metrics;

import java.util.Map;

/**
 * An engine's counters over JMX, for applications without Micrometer: registered as
 * {@code dev.warden:type=Metrics,policy="<policy location>"} on the platform MBean server (see {@link JmxMetrics}).
 * Every attribute is read when asked; the same counts as the Micrometer meters of {@link MicrometerBinding}.
 */
public interface MetricsMXBean {

    long getStatementsAllowed();

    long getStatementsFailed();

    long getStatementsRefused();

    /** Statements by {@code KIND/decision}, e.g. {@code SELECT/allowed}. */
    Map<String, Long> getStatementsByKind();

    /** Refusals by SQLState ({@code other} for any state not listed). */
    Map<String, Long> getRefusalsBySqlState();

    /** Statement texts the engine guarded (the count of the overhead timer). */
    long getGuardCount();

    /** Total time spent guarding them, in nanoseconds (estimated from one guard in eight after the first 64). */
    long getGuardNanos();

    long getValuesEncrypted();

    long getValuesDecrypted();

    long getDecryptFailures();

    long getAuditQueueDepth();

    long getAuditEventsWritten();

    long getAuditEventsDropped();

    boolean isAuditHealthy();

    long getKeysetReloads();

    long getKeysetReloadsRejected();

    long getPolicyReloads();

    long getPolicyReloadsRejected();
}

package dev.warden.audit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link JsonLinesAuditSink} writes its trail.
 *
 * @param path            the trail's name: {@code dir/audit.jsonl} gives files
 *                        {@code dir/audit-YYYYMMDD-HHMMSS-NNNNNN.jsonl} (UTC creation time, file counter) and a
 *                        lock file {@code dir/audit.lock} held while a sink writes
 * @param durability      {@link Durability#SYNC}: {@code record} returns once the event is forced to disk;
 *                        {@link Durability#ASYNC}: once queued (written within a batch, forced within
 *                        {@code flushInterval})
 * @param onFailure       what {@code record} does while the trail cannot be written
 * @param rotateSizeBytes start a new file before a line would take the current one past this size; 0 = never
 * @param rotateDaily     start a new file when the UTC day changes
 * @param queueCapacity   events queued before {@code record} blocks (backpressure)
 * @param flushInterval   in async durability, the longest an event written to the OS waits for a force
 */
public record AuditSinkConfig(Path path, Durability durability, FailureMode onFailure, long rotateSizeBytes,
                              boolean rotateDaily, int queueCapacity, Duration flushInterval) {

    /** When {@code record} returns. */
    public enum Durability { ASYNC, SYNC }

    /**
     * What {@code record} does while the trail cannot be written (disk full, permission, database down).
     * Either way, no event that {@code record} accepted is dropped: it is retried until written.
     */
    public enum FailureMode {
        /** {@code record} throws {@link AuditUnavailableException} until a retry succeeds (the default). */
        FAIL_CLOSED,
        /**
         * {@code record} keeps accepting events into the bounded queue (statements go on); when the queue is full
         * it blocks until the trail recovers. An {@code alarm} event records the outage on recovery and the
         * health listener is told.
         */
        FAIL_OPEN
    }

    public AuditSinkConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(onFailure, "onFailure");
        Objects.requireNonNull(flushInterval, "flushInterval");
        if (rotateSizeBytes < 0 || queueCapacity < 1 || flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("rotateSizeBytes >= 0, queueCapacity >= 1, flushInterval > 0");
        }
    }

    /** Async, fail-closed, 64 MiB files rotated daily, 8192 queued events, forced every 50 ms. */
    public static AuditSinkConfig defaults(Path path) {
        return new AuditSinkConfig(path, Durability.ASYNC, FailureMode.FAIL_CLOSED, 64L << 20, true, 8192,
                Duration.ofMillis(50));
    }

    public AuditSinkConfig withDurability(Durability d) {
        return new AuditSinkConfig(path, d, onFailure, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval);
    }

    public AuditSinkConfig withFailureMode(FailureMode f) {
        return new AuditSinkConfig(path, durability, f, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval);
    }

    public AuditSinkConfig withRotation(long sizeBytes, boolean daily) {
        return new AuditSinkConfig(path, durability, onFailure, sizeBytes, daily, queueCapacity, flushInterval);
    }

    public AuditSinkConfig withQueueCapacity(int capacity) {
        return new AuditSinkConfig(path, durability, onFailure, rotateSizeBytes, rotateDaily, capacity, flushInterval);
    }
}

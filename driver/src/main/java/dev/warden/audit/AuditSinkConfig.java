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
 * @param instance        this writer's instance: its chain's files are {@code dir/audit@INSTANCE-...jsonl} with
 *                        lock {@code dir/audit@INSTANCE.lock}, so several processes share {@code path}; null for a
 *                        single-writer trail named as before instances ({@code dir/audit-...jsonl})
 * @param anchor          a file outside the trail's directory (ideally outside the writer's reach: append-only,
 *                        another owner, shipped off the host) to which the chain's head is appended at most every
 *                        {@code anchorInterval} and at close; null for none
 * @param anchorInterval  the longest an event forced to disk waits before the head naming it is anchored
 * @param format          the trail format written: {@link #FORMAT_2} (the default: repeated values written once per
 *                        file and referred to by id) or {@link #FORMAT_1} (every line stands alone); readers take both
 */
public record AuditSinkConfig(Path path, Durability durability, FailureMode onFailure, long rotateSizeBytes,
                              boolean rotateDaily, int queueCapacity, Duration flushInterval, String instance,
                              Path anchor, Duration anchorInterval, int format) {

    /** Every line stands alone: every value in full (the format of the audit table's rows, and of older trails). */
    public static final int FORMAT_1 = 1;
    /** A dictionary per file: each repeated value is written once per file and referred to by id (docs/audit.md). */
    public static final int FORMAT_2 = 2;

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
        if (instance != null) {
            AuditTrailFiles.checkInstance(instance);
        }
        Objects.requireNonNull(anchorInterval, "anchorInterval");
        if (format != FORMAT_1 && format != FORMAT_2) {
            throw new IllegalArgumentException("audit trail format " + format + " (1 or 2)");
        }
    }

    /** A trail in the default format ({@link #FORMAT_2}). */
    public AuditSinkConfig(Path path, Durability durability, FailureMode onFailure, long rotateSizeBytes,
                           boolean rotateDaily, int queueCapacity, Duration flushInterval, String instance,
                           Path anchor, Duration anchorInterval) {
        this(path, durability, onFailure, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval, instance, anchor,
                anchorInterval, FORMAT_2);
    }

    /** A single-writer trail without an anchor. */
    public AuditSinkConfig(Path path, Durability durability, FailureMode onFailure, long rotateSizeBytes,
                           boolean rotateDaily, int queueCapacity, Duration flushInterval) {
        this(path, durability, onFailure, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval, null, null,
                DEFAULT_ANCHOR_INTERVAL);
    }

    /** How often a running writer anchors its head by default. */
    public static final Duration DEFAULT_ANCHOR_INTERVAL = Duration.ofSeconds(1);

    /** Async, fail-closed, 64 MiB files rotated daily, 8192 queued events, forced every 50 ms. */
    public static AuditSinkConfig defaults(Path path) {
        return new AuditSinkConfig(path, Durability.ASYNC, FailureMode.FAIL_CLOSED, 64L << 20, true, 8192,
                Duration.ofMillis(50));
    }

    public AuditSinkConfig withDurability(Durability d) {
        return new AuditSinkConfig(path, d, onFailure, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval,
                instance, anchor, anchorInterval, format);
    }

    public AuditSinkConfig withFailureMode(FailureMode f) {
        return new AuditSinkConfig(path, durability, f, rotateSizeBytes, rotateDaily, queueCapacity, flushInterval,
                instance, anchor, anchorInterval, format);
    }

    public AuditSinkConfig withRotation(long sizeBytes, boolean daily) {
        return new AuditSinkConfig(path, durability, onFailure, sizeBytes, daily, queueCapacity, flushInterval,
                instance, anchor, anchorInterval, format);
    }

    public AuditSinkConfig withQueueCapacity(int capacity) {
        return new AuditSinkConfig(path, durability, onFailure, rotateSizeBytes, rotateDaily, capacity, flushInterval,
                instance, anchor, anchorInterval, format);
    }

    /** Writes the chain of {@code instance} (see {@link #instance}). */
    public AuditSinkConfig withInstance(String instance) {
        return new AuditSinkConfig(path, durability, onFailure, rotateSizeBytes, rotateDaily, queueCapacity,
                flushInterval, instance, anchor, anchorInterval, format);
    }

    /** Anchors the chain's head in {@code anchor} at most every {@code interval} (see {@link #anchor}). */
    public AuditSinkConfig withAnchor(Path anchor, Duration interval) {
        return new AuditSinkConfig(path, durability, onFailure, rotateSizeBytes, rotateDaily, queueCapacity,
                flushInterval, instance, anchor, interval, format);
    }

    /** Writes trail format {@code format} ({@link #FORMAT_1} or {@link #FORMAT_2}). */
    public AuditSinkConfig withFormat(int format) {
        return new AuditSinkConfig(path, durability, onFailure, rotateSizeBytes, rotateDaily, queueCapacity,
                flushInterval, instance, anchor, anchorInterval, format);
    }

    /** The name of the chain this config writes: the trail's base, with {@code @instance} when there is one. */
    public String chainName() {
        return AuditTrailFiles.chainName(AuditTrailFiles.base(path), instance);
    }
}

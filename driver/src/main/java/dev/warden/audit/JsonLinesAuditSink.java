package dev.warden.audit;

import java.nio.file.Path;
import java.time.Clock;

/**
 * The default audit sink: a hash-chained JSON Lines trail in rotated files (see {@link AuditSinkConfig} for
 * names, durability, failure mode and rotation, {@link AuditLineCodec} for the line format).
 *
 * <p>On open it takes the trail's lock file (one writer per trail), finds the newest file's last complete event
 * and continues the chain in a new file; a torn last line or a missing seal left by a crash is recorded as an
 * {@code alarm} event at the start of the new file (the old file is never rewritten). Rotation starts a new file
 * whose first event's {@code prev} is the last hash of the previous file. {@link #close} writes a {@code seal}
 * event, so that a trail whose last file does not end with one is known to be live, crashed or cut.
 *
 * <p>Thread-safe; {@link #record} costs the caller a queue insertion (see {@link BatchingAuditWriter}).
 */
public final class JsonLinesAuditSink implements AuditSink {

    private final JsonLinesFileTarget target;
    private final BatchingAuditWriter writer;

    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key) {
        this(config, key, AuditHealthListener.NONE, Clock.systemUTC());
    }

    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key, AuditHealthListener listener) {
        this(config, key, listener, Clock.systemUTC());
    }

    /** With a clock for the trail's own events, file names and daily rotation (tests). */
    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key, AuditHealthListener listener, Clock clock) {
        this.target = new JsonLinesFileTarget(config, key, clock);
        this.writer = new BatchingAuditWriter(target, config.durability(), config.onFailure(),
                config.queueCapacity(), config.flushInterval(), clock, listener,
                "warden-audit-" + AuditTrailFiles.base(config.path()));
    }

    @Override
    public void record(AuditEvent event) throws AuditUnavailableException {
        writer.record(event);
    }

    /** False while the trail cannot be written (records then fail, or queue, per the failure mode). */
    public boolean isHealthy() {
        return writer.healthy();
    }

    @Override
    public boolean isStopped() {
        return writer.stopped();
    }

    /** Events queued and not yet taken by the writer thread (tests, metrics). */
    int queued() {
        return writer.queued();
    }

    /** The file being written (for operators and tests); may change at any time by rotation. */
    public Path currentFile() {
        return target.currentFile();
    }

    /**
     * Writes everything queued and the seal, forces and releases the trail.
     *
     * @throws java.io.UncheckedIOException when queued events could not be written (the trail stays unsealed)
     */
    @Override
    public void close() {
        writer.close();
    }
}

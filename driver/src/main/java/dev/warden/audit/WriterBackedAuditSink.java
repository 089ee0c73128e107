package dev.warden.audit;

/**
 * What the file and table sinks share: every {@link AuditSink} method answered by their one
 * {@link BatchingAuditWriter}, so a new accessor is written once. Thread-safe, as the writer is.
 */
abstract class WriterBackedAuditSink implements AuditSink {

    private final BatchingAuditWriter writer;

    WriterBackedAuditSink(BatchingAuditWriter writer) {
        this.writer = writer;
    }

    final BatchingAuditWriter writer() {
        return writer;
    }

    @Override
    public void record(AuditEvent event) throws AuditUnavailableException {
        writer.record(event);
    }

    /** False while the trail cannot be written (records then fail, or queue, per the failure mode). */
    @Override
    public boolean isHealthy() {
        return writer.healthy();
    }

    @Override
    public boolean isStopped() {
        return writer.stopped();
    }

    @Override
    public long queuedEvents() {
        return writer.queued();
    }

    @Override
    public long eventsWritten() {
        return writer.written();
    }

    @Override
    public long eventsDropped() {
        return writer.dropped();
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

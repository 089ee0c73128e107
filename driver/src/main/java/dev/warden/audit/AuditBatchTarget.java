package dev.warden.audit;

import java.io.IOException;
import java.util.List;

/**
 * Where a {@link BatchingAuditWriter} puts its batches: a file trail or a table. A target owns the hash chain
 * head so that the chain continues exactly where its storage ends.
 *
 * <p>Call order: {@link #open} once before anything else and again after any failure (to reopen and roll back to
 * the last committed event); then any number of {@link #write} and {@link #force}; {@link #close} last. All calls
 * come from one thread at a time (the writer's); implementations need no locking.
 */
interface AuditBatchTarget {

    /**
     * Opens the storage, or reopens it after a failure so that it ends at the last committed event.
     *
     * @return alarm events to write before anything else (e.g. a torn tail found at start), possibly empty
     */
    List<AuditEvent> open() throws IOException;

    /**
     * Chains and writes the events in order (into the OS or the database, not necessarily forced).
     *
     * @throws PartialWriteException when only the first {@code written} events are committed; the rest must be
     *                               retried after {@link #open}
     */
    void write(List<AuditEvent> events) throws PartialWriteException;

    /** Makes everything written durable (fsync, or nothing when writes commit). */
    void force() throws IOException;

    /** Releases the storage; called after the seal is written and forced, or when giving up. */
    void close() throws IOException;

    /** The storage's name for messages: a path or a URL without credentials, never event content. */
    String describe();

    /** A write that committed only its first {@link #written} events. */
    final class PartialWriteException extends IOException {
        private final int written;

        PartialWriteException(int written, Throwable cause) {
            super(cause.getMessage(), cause);
            this.written = written;
        }

        int written() {
            return written;
        }
    }
}

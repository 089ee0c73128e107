package dev.warden.audit;

/**
 * Where audit events go. Implementations are thread-safe. {@link #record} must cost the caller a few
 * microseconds at most (hand off to a writer thread); it blocks only for backpressure or, in sync
 * durability, until the event is on disk.
 */
public interface AuditSink extends AutoCloseable {

    /**
     * Hands over one event.
     * @throws AuditUnavailableException when the sink cannot write and is configured fail-closed
     */
    void record(AuditEvent event) throws AuditUnavailableException;

    /**
     * False while the trail cannot be written. A fail-closed engine refuses statements on protected columns
     * while this is false, rather than run them and fail to record them.
     */
    default boolean isHealthy() {
        return true;
    }

    /**
     * True once the sink can never write again (its writer thread died: an {@link OutOfMemoryError}, a bug).
     * Unlike an outage this does not pass, and it holds whatever the failure mode: an engine then refuses
     * every statement, since none of them could leave its event.
     */
    default boolean isStopped() {
        return false;
    }

    /** Events handed over and not yet written (waiting in the sink's queue), for monitoring; 0 if it has none. */
    default long queuedEvents() {
        return 0;
    }

    /** Events written to the trail since the sink opened (engine events and alarms included), for monitoring. */
    default long eventsWritten() {
        return 0;
    }

    /**
     * Events handed over that will never be written (refused while the trail could not be written, lost at
     * close), for monitoring.
     */
    default long eventsDropped() {
        return 0;
    }

    /** Flushes and seals the trail; later records are refused. */
    @Override
    void close();
}

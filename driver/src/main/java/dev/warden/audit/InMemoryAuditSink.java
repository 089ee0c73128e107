package dev.warden.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps events in memory, in order, for tests of code that emits them (e.g. "exactly one event per statement").
 * No chain, no durability. Thread-safe.
 */
public final class InMemoryAuditSink implements AuditSink {

    private final List<AuditEvent> events = new ArrayList<>();
    private boolean closed;

    @Override
    public synchronized void record(AuditEvent event) throws AuditUnavailableException {
        if (closed) {
            throw new AuditUnavailableException("in-memory audit sink is closed", null);
        }
        events.add(java.util.Objects.requireNonNull(event, "event"));
    }

    /** A snapshot of the events recorded so far. */
    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public synchronized void clear() {
        events.clear();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}

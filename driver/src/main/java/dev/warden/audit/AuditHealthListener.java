package dev.warden.audit;

/**
 * Told when a sink's trail stops or starts being writable, e.g. to raise an operator alert or fail a health
 * check. Called on the sink's writer thread (or in its constructor, for a trail unwritable from the start):
 * implementations must return quickly and not call the sink.
 */
@FunctionalInterface
public interface AuditHealthListener {

    /** @param detail the target and the cause (file, URL, exception), never event content */
    void healthChanged(boolean healthy, String detail);

    AuditHealthListener NONE = (healthy, detail) -> { };
}

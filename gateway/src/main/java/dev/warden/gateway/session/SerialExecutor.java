package dev.warden.gateway.session;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on threads borrowed from a shared pool: the per-session
 * executor that keeps blocking JDBC work off the event loop while preserving message order. Thread-safe.
 */
public final class SerialExecutor implements Executor {

    private final Executor pool;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /** True when tasks wait behind the running one: a long task can give way to them. */
    public boolean hasQueued() {
        return !tasks.isEmpty();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            pool.execute(this::drain);
        }
    }

    private void drain() {
        try {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        } finally {
            scheduled.set(false);
            // a task added between the last poll and the reset must not be stranded
            if (!tasks.isEmpty()) {
                schedule();
            }
        }
    }
}

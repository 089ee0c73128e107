package dev.warden.engine;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread ({@code warden-reload}) on which every engine checks its keyset and policy files, so
 * that a check never runs on a statement's thread and many engines cost one thread. Created when the first
 * engine starts checking. Thread-safe.
 */
final class ReloadScheduler {

    private static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private ReloadScheduler() {}

    /** Runs {@code check} every {@code interval} (not zero) until the returned future is cancelled. */
    static ScheduledFuture<?> every(Duration interval, Runnable check) {
        long millis = interval.toMillis();
        return EXECUTOR.scheduleWithFixedDelay(check, millis, millis, TimeUnit.MILLISECONDS);
    }

    private static ScheduledThreadPoolExecutor create() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warden-reload");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);  // a closed engine's check leaves the queue at once
        return executor;
    }
}

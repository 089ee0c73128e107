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

    /**
     * Runs {@code check} every {@code interval} (not zero) until the returned future is cancelled. An unexpected
     * exception of a check is logged on {@code log} as a warning naming the {@code kind} of file ("keyset") and
     * {@code file}, and the checks go on: escaping the task, it would silently end every later check.
     */
    static ScheduledFuture<?> every(Duration interval, System.Logger log, String kind, Object file, Runnable check) {
        long millis = interval.toMillis();
        Runnable guarded = () -> {
            try {
                check.run();
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "Warden: checking " + kind + " " + file + " failed ("
                        + e.getClass().getName() + "); the " + kind + " in use stays", e);
            }
        };
        return EXECUTOR.scheduleWithFixedDelay(guarded, millis, millis, TimeUnit.MILLISECONDS);
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

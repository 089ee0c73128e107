package dev.warden.bench.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of every live thread of this JVM, grouped by role: the calling thread, Warden's audit writer threads
 * ({@code warden-audit-*}), Warden's other threads ({@code warden-*}: the SQL parser, reloaders) and everything
 * else (JIT compilers, GC, pgjdbc has none of its own). A {@link Snapshot} taken before and after a block of
 * statements gives what each group spent on it, thread by thread (what a thread that ended in between spent is
 * lost: Warden's are long-lived).
 */
public final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadCpuTimeSupported()) throw new IllegalStateException("no thread CPU time on this JVM");
        THREADS.setThreadCpuTimeEnabled(true);
    }

    private ThreadCpu() {}

    /**
     * Nanoseconds of CPU per group at one moment, or (from {@link #minus}) spent between two moments. A snapshot
     * from {@link #now} also keeps each thread's CPU ({@code threads}: id to nanoseconds, the caller left out), so
     * that {@link #minus} counts what each thread spent in between: a thread that ended meanwhile is left out
     * instead of taking its whole life's CPU off its group (a negative figure), one that started counts from zero.
     */
    public record Snapshot(long caller, long auditWriter, long otherWarden, long rest, Map<Long, Long> threads) {
        public Snapshot(long caller, long auditWriter, long otherWarden, long rest) {
            this(caller, auditWriter, otherWarden, rest, null);
        }

        public Snapshot minus(Snapshot before) {
            if (threads == null || before.threads == null) {
                return new Snapshot(caller - before.caller, auditWriter - before.auditWriter,
                        otherWarden - before.otherWarden, rest - before.rest);
            }
            long writer = 0, warden = 0, other = 0;
            for (Map.Entry<Long, Long> thread : threads.entrySet()) {
                long spent = thread.getValue() - before.threads.getOrDefault(thread.getKey(), 0L);
                if (spent < 0) spent = thread.getValue();  // an id reused by a new thread
                switch (group(NAMES.get(thread.getKey()))) {
                    case 0 -> writer += spent;
                    case 1 -> warden += spent;
                    default -> other += spent;
                }
            }
            return new Snapshot(caller - before.caller, writer, warden, other);
        }

        public Snapshot plus(Snapshot other) {
            return new Snapshot(caller + other.caller, auditWriter + other.auditWriter,
                    otherWarden + other.otherWarden, rest + other.rest);
        }
    }

    public static final Snapshot ZERO = new Snapshot(0, 0, 0, 0);

    /** Thread ids to names, refreshed only when a new thread appears (names are looked up in bulk). */
    private static final Map<Long, String> NAMES = new HashMap<>();

    public static Snapshot now() {
        long self = Thread.currentThread().getId();
        long caller = THREADS.getCurrentThreadCpuTime();
        long writer = 0, warden = 0, rest = 0;
        Map<Long, Long> threads = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            if (id == self) continue;
            long cpu = THREADS.getThreadCpuTime(id);
            if (cpu < 0) continue; // ended meanwhile
            String name = NAMES.get(id);
            if (name == null) {
                ThreadInfo info = THREADS.getThreadInfo(id);
                name = info == null ? "" : info.getThreadName();
                NAMES.put(id, name);
            }
            threads.put(id, cpu);
            switch (group(name)) {
                case 0 -> writer += cpu;
                case 1 -> warden += cpu;
                default -> rest += cpu;
            }
        }
        return new Snapshot(caller, writer, warden, rest, threads);
    }

    /** 0: an audit writer, 1: another Warden thread, 2: anything else. */
    private static int group(String name) {
        if (name == null) return 2;
        if (name.startsWith("warden-audit")) return 0;
        return name.startsWith("warden") ? 1 : 2;
    }
}

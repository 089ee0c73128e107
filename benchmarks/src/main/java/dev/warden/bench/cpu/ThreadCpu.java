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
 * statements gives what each group spent on it. Threads that ended in between are lost: Warden's are long-lived.
 */
public final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        if (!THREADS.isThreadCpuTimeSupported()) throw new IllegalStateException("no thread CPU time on this JVM");
        THREADS.setThreadCpuTimeEnabled(true);
    }

    private ThreadCpu() {}

    /** Nanoseconds of CPU per group at one moment. */
    public record Snapshot(long caller, long auditWriter, long otherWarden, long rest) {
        public Snapshot minus(Snapshot before) {
            return new Snapshot(caller - before.caller, auditWriter - before.auditWriter,
                    otherWarden - before.otherWarden, rest - before.rest);
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
            if (name.startsWith("warden-audit")) writer += cpu;
            else if (name.startsWith("warden")) warden += cpu;
            else rest += cpu;
        }
        return new Snapshot(caller, writer, warden, rest);
    }
}

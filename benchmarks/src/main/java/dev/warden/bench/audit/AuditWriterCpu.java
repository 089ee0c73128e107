package dev.warden.bench.audit;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSinkConfig;
import dev.warden.audit.JsonLinesAuditSink;
import dev.warden.bench.cpu.ThreadCpu;
import dev.warden.bench.cpu.ThreadCpu.Snapshot;
import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.AuditTrails;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The audit writer thread's CPU per event at a steady rate (default 50,000 events/s), as in production: the
 * JSON Lines sink, async durability, chained under a Tink keyset's audit key, point-SELECT and INSERT events as
 * the engine builds them (a new time and event id each, a few sessions). The caller records the events of each
 * millisecond, then sleeps to the next one; the writer's thread CPU (ThreadMXBean) over the measured seconds,
 * divided by the events, is the figure. Also prints the trail's bytes per event.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar dev.warden.bench.audit.AuditWriterCpu
 * [--rate 50000] [--seconds 10] [--rounds 3]}
 */
public final class AuditWriterCpu {

    public static void main(String[] args) throws Exception {
        int rate = 50_000;
        int seconds = 10;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--rate N, --seconds N, --rounds N)");
            }
        }
        Path dir = Files.createTempDirectory("warden-audit-cpu");
        try {
            JsonLinesAuditSink sink = new JsonLinesAuditSink(AuditSinkConfig.defaults(dir.resolve("audit.jsonl")),
                    AuditTrails.chainKey(WardenKeyset.generate()));
            String[] sessions = new String[8];
            for (int i = 0; i < sessions.length; i++) sessions[i] = UUID.randomUUID().toString();
            long[] next = {0};
            run(sink, sessions, next, rate, 3); // warm-up
            for (int r = 0; r < rounds; r++) {
                long bytesBefore = trailBytes(dir);
                Snapshot before = ThreadCpu.now();
                long events = run(sink, sessions, next, rate, seconds);
                LockSupport.parkNanos(20_000_000); // let the writer take the last lingering batch
                Snapshot used = ThreadCpu.now().minus(before);
                long bytes = trailBytes(dir) - bytesBefore;
                System.out.printf(Locale.ROOT, "round %d: %d events at %d/s: audit writer %.2f µs CPU per event, "
                                + "caller %.2f µs per event (building and handing over), %d bytes per event%n",
                        r + 1, events, rate, used.auditWriter() / 1000.0 / events, used.caller() / 1000.0 / events,
                        bytes / events);
            }
            sink.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Records {@code rate} events a second for {@code seconds}, in per-millisecond groups. */
    private static long run(JsonLinesAuditSink sink, String[] sessions, long[] next, int rate, int seconds)
            throws Exception {
        long perMilli = Math.max(1, rate / 1000);
        long start = System.nanoTime();
        long events = 0;
        for (long ms = 0; ms < seconds * 1000L; ms++) {
            for (int i = 0; i < perMilli; i++) {
                sink.record(event(sessions, next[0]++));
                events++;
            }
            long due = start + (ms + 1) * 1_000_000;
            long wait = due - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
        }
        return events;
    }

    private static final String PREFIX = Long.toHexString(System.nanoTime()) + "-";

    private static AuditEvent event(String[] sessions, long n) {
        String session = sessions[(int) (n % sessions.length)];
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if ((n & 1) == 0) {
            return new AuditEvent("statement", now, PREFIX + n, session, "postgres", "billing", "order-processing",
                    "warden-driver", null, "SELECT", "SELECT id, name, email FROM customers WHERE email = ?",
                    "5e8f4e75adb7c99b", List.of("customers"), Map.of("customers.email", "plaintext"), List.of(),
                    List.of("customers.email"), 1, "allowed", null, null, 31, List.of());
        }
        return new AuditEvent("statement", now, PREFIX + n, session, "postgres", "billing", "order-processing",
                "warden-driver", null, "INSERT", "INSERT INTO customers (name, email, card_number) VALUES (?, ?, ?)",
                "5e8f4e75adb7c99b", List.of("customers"), Map.of(), List.of("customers.card_number", "customers.email"),
                List.of(), 1, "allowed", null, null, 48, List.of());
    }

    private static long trailBytes(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}

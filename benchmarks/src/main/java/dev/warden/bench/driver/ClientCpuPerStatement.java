package dev.warden.bench.driver;

import dev.warden.bench.cpu.ThreadCpu;
import dev.warden.bench.cpu.ThreadCpu.Snapshot;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Client CPU per statement, raw pgjdbc against Warden in the same JVM and run: the {@link DriverBenchmark}
 * scenarios run in blocks of raw and Warden statements, and for each block the thread CPU of the calling
 * thread, of Warden's audit writer thread and of Warden's other threads is read (ThreadMXBean) before and after.
 * Wall time hides what a statement costs a loaded machine (the writer runs on another core); thread CPU does not.
 *
 * <p>Why the figures are steadier than a mean of long blocks: on a machine shared with other work a block's CPU
 * per statement moves by several µs with what the other processes do (caches, frequency, preemption inside a
 * statement), in both halves alike. So a round is a raw block and a Warden block run back to back, in turns
 * raw-first and Warden-first (a drift over the round falls on each side equally often), and the round's difference
 * is one sample; the table gives the median of those differences and their interquartile range, which a few
 * disturbed rounds do not move. After each Warden block the run waits for the audit writer to go quiet (its
 * thread CPU stops growing), so the writer's CPU is charged to the round whose events it wrote, not to the next.
 * Warm-up rounds (C2 compiles both paths) are measured and dropped. As contention only adds CPU, and comes in
 * phases that may hit one half of a round and not the other, the table also gives the difference of the two sides'
 * lower quartiles (all Warden threads, and the caller alone).
 *
 * <p>{@code --profile SCENARIO} runs only the Warden side of one scenario for {@code --ops} statements times
 * {@code --rounds}, for a profiler (JFR) to see nothing else.
 *
 * <p>Run (after {@code benchmarks/run-driver-benchmarks.sh} or {@code mvn -pl driver,benchmarks -am package}):
 * {@code java -Dwarden.example=policy-examples/customers -cp benchmarks/target/benchmarks.jar
 * dev.warden.bench.driver.ClientCpuPerStatement [--ops 5000] [--rounds 20] [--warmup 6]
 * [--only insert,pointSelect] [--profile insert]}
 */
public final class ClientCpuPerStatement {

    private interface Op {
        void run() throws SQLException;
    }

    private record Scenario(String name, String title, Op raw, Op warden) {}

    /** One measured round, µs of CPU per statement. */
    private record Round(double rawCaller, double wardenCaller, double writer, double other, double rawWall,
                         double wardenWall) {
        double difference() {
            return wardenCaller + writer + other - rawCaller;
        }
    }

    public static void main(String[] args) throws Exception {
        int ops = 5_000;
        int rounds = 20;
        int warmup = -1;
        List<String> only = null;
        String profile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                case "--profile" -> profile = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--ops N, --rounds N, --warmup N, --only a,b, --profile a)");
            }
        }
        // enough for C2 to compile both paths: about 30,000 statements of each side
        if (warmup < 0) warmup = Math.max(3, (30_000 + ops - 1) / ops);
        CustomersDatabase db = new CustomersDatabase();
        db.start();
        Connections c = new Connections();
        c.open(db);
        Blackhole bh = new Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        DriverBenchmark pair = new DriverBenchmark();
        List<Scenario> scenarios = List.of(
                new Scenario("pointSelect", "prepared point SELECT by email, prepared per call",
                        () -> pair.pointSelect_raw(db, c, bh), () -> pair.pointSelect_warden(db, c, bh)),
                new Scenario("pointSelectReused", "the same with one reused PreparedStatement",
                        () -> pair.pointSelectReused_raw(db, c, bh), () -> pair.pointSelectReused_warden(db, c, bh)),
                new Scenario("insert", "INSERT with two encrypted columns",
                        () -> bh.consume(pair.insert_raw(db, c)), () -> bh.consume(pair.insert_warden(db, c))));
        List<String> rows = new ArrayList<>();
        try {
            for (Scenario s : scenarios) {
                if (profile != null) {
                    if (s.name().equals(profile)) profile(s, c, ops, rounds);
                    continue;
                }
                if (only != null && !only.contains(s.name())) continue;
                rows.add(measure(s, c, ops, rounds, warmup));
            }
        } finally {
            c.close();
            db.stop();
        }
        if (profile != null) return;
        System.out.println();
        System.out.printf(Locale.ROOT, "%d rounds of %d statements per side (after %d warm-up rounds); median over"
                + " rounds, µs of thread CPU per statement; Warden − raw: median [interquartile range]"
                + " (min–max)%n",
                rounds, ops, warmup);
        System.out.println("| scenario | raw: caller | Warden: caller | Warden: audit writer | Warden: other "
                + "Warden threads | Warden − raw (all Warden threads) | lower quartiles: Warden − raw "
                + "| raw wall µs | Warden wall µs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static void profile(Scenario s, Connections c, int ops, int rounds) throws SQLException {
        for (int r = 0; r < rounds; r++) {
            Snapshot used = block(s.warden(), c, ops);
            System.out.printf(Locale.ROOT, "%s (Warden only) round %d: caller %.2f µs%n", s.name(), r + 1,
                    used.caller() / 1000.0 / ops);
        }
    }

    private static String measure(Scenario s, Connections c, int ops, int rounds, int warmup) throws SQLException {
        Round[] measured = new Round[rounds];
        for (int r = -warmup; r < rounds; r++) {
            boolean rawFirst = (r & 1) == 0;
            Snapshot raw = null, warden = null, settling = null;
            long rawWall = 0, wardenWall = 0;
            for (int half = 0; half < 2; half++) {
                long t0 = System.nanoTime();
                if (rawFirst == (half == 0)) {
                    raw = block(s.raw(), c, ops);
                    rawWall = System.nanoTime() - t0;
                } else {
                    Snapshot used = block(s.warden(), c, ops);
                    wardenWall = System.nanoTime() - t0;
                    settling = writerSettling();
                    warden = used.plus(settling);
                }
            }
            if (r < 0) continue;
            // what Warden's threads did during the raw block is Warden's too (e.g. a late reload poll)
            Round round = new Round(perOp(raw.caller(), ops), perOp(warden.caller(), ops),
                    perOp(warden.auditWriter() + raw.auditWriter(), ops),
                    perOp(warden.otherWarden() + raw.otherWarden(), ops),
                    perOp(rawWall, ops), perOp(wardenWall, ops));
            measured[r] = round;
            System.out.printf(Locale.ROOT, "%s round %d (%s first): raw caller %.2f µs, Warden caller %.2f"
                            + " + writer %.2f (%.2f of it after the block) + other %.2f µs = %+.2f"
                            + " (JVM rest: raw %.2f, Warden %.2f)%n", s.name(), r + 1, rawFirst ? "raw" : "Warden",
                    round.rawCaller(), round.wardenCaller(), round.writer(), perOp(settling.auditWriter(), ops),
                    round.other(), round.difference(), perOp(raw.rest(), ops), perOp(warden.rest(), ops));
        }
        double[] diffs = Arrays.stream(measured).mapToDouble(Round::difference).sorted().toArray();
        // contention on a shared machine only ever adds CPU, and it comes in phases that can hit one half of a
        // round and not the other: the lower quartile of each side is a second, steadier estimate
        double lowRaw = quantile(sorted(measured, Round::rawCaller), 0.25);
        double lowWarden = quantile(sorted(measured, r -> r.wardenCaller() + r.writer() + r.other()), 0.25);
        double lowWardenCaller = quantile(sorted(measured, Round::wardenCaller), 0.25);
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | **%+.2f** [%+.2f, %+.2f] (%+.2f–%+.2f) "
                        + "| %+.2f (caller %+.2f) | %.1f | %.1f |",
                s.title(), median(measured, Round::rawCaller), median(measured, Round::wardenCaller),
                median(measured, Round::writer), median(measured, Round::other), quantile(diffs, 0.5),
                quantile(diffs, 0.25), quantile(diffs, 0.75), diffs[0], diffs[diffs.length - 1],
                lowWarden - lowRaw, lowWardenCaller - lowRaw,
                median(measured, Round::rawWall), median(measured, Round::wardenWall));
    }

    /**
     * Waits until Warden's audit writer has written the block's last events (its CPU stops growing for 20 ms, at
     * most 1 s) and gives the CPU spent meanwhile (by every group but the caller, which only sleeps).
     */
    private static Snapshot writerSettling() {
        Snapshot start = ThreadCpu.now();
        Snapshot last = start;
        long deadline = System.nanoTime() + 1_000_000_000L;
        do {
            sleep(20);
            Snapshot now = ThreadCpu.now();
            boolean quiet = now.auditWriter() == last.auditWriter();
            last = now;
            if (quiet) break;
        } while (System.nanoTime() < deadline);
        Snapshot spent = last.minus(start);
        return new Snapshot(0, spent.auditWriter(), spent.otherWarden(), spent.rest());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private interface Field {
        double of(Round r);
    }

    private static double median(Round[] rounds, Field field) {
        return quantile(sorted(rounds, field), 0.5);
    }

    private static double[] sorted(Round[] rounds, Field field) {
        return Arrays.stream(rounds).mapToDouble(field::of).sorted().toArray();
    }

    /** Linear interpolation between the closest ranks of the sorted {@code values}. */
    private static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    private static double perOp(long nanos, int ops) {
        return nanos / 1000.0 / ops;
    }

    private static Snapshot block(Op op, Connections c, int ops) throws SQLException {
        Snapshot before = ThreadCpu.now();
        for (int i = 0; i < ops; i++) op.run();
        Snapshot used = ThreadCpu.now().minus(before);
        c.deleteInserted();
        return used;
    }
}

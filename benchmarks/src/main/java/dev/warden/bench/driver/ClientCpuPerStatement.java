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
 * scenarios run in blocks that alternate raw and Warden, and for each block the thread CPU of the calling
 * thread, of Warden's audit writer thread and of Warden's other threads is read (ThreadMXBean) before and after.
 * Wall time hides what a statement costs a loaded machine (the writer runs on another core); thread CPU does not.
 * The writer's CPU is charged to the Warden statements (it writes their events; its lingering means a block's
 * last events may be written at the start of the next block, which the sum over all blocks absorbs).
 *
 * <p>Run (after {@code benchmarks/run-driver-benchmarks.sh} or {@code mvn -pl driver,benchmarks -am package}):
 * {@code java -Dwarden.example=policy-examples/customers -cp benchmarks/target/benchmarks.jar
 * dev.warden.bench.driver.ClientCpuPerStatement [--ops 20000] [--rounds 10] [--only insert,pointSelect]}
 */
public final class ClientCpuPerStatement {

    private interface Op {
        void run() throws SQLException;
    }

    private record Scenario(String name, String title, Op raw, Op warden) {}

    public static void main(String[] args) throws Exception {
        int ops = 20_000;
        int rounds = 10;
        List<String> only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--ops" -> ops = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--only" -> only = Arrays.asList(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--ops N, --rounds N, --only a,b)");
            }
        }
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
                if (only != null && !only.contains(s.name())) continue;
                rows.add(measure(s, c, ops, rounds));
            }
        } finally {
            c.close();
            db.stop();
        }
        System.out.println();
        System.out.println("| scenario | raw: caller µs CPU | Warden: caller | Warden: audit writer | Warden: other "
                + "Warden threads | Warden − raw (all Warden threads) | raw wall µs | Warden wall µs |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static String measure(Scenario s, Connections c, int ops, int rounds) throws SQLException {
        // warm-up: enough for C2 to compile both paths
        for (int w = 0; w < 3; w++) {
            block(s.raw(), c, ops);
            block(s.warden(), c, ops);
        }
        Snapshot raw = ThreadCpu.ZERO;
        Snapshot warden = ThreadCpu.ZERO;
        long rawWall = 0, wardenWall = 0;
        double[] rawCaller = new double[rounds];
        double[] wardenTotal = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            Snapshot a = block(s.raw(), c, ops);
            long t1 = System.nanoTime();
            Snapshot b = block(s.warden(), c, ops);
            long t2 = System.nanoTime();
            raw = raw.plus(a);
            warden = warden.plus(b);
            rawWall += t1 - t0;
            wardenWall += t2 - t1;
            rawCaller[r] = a.caller() / 1000.0 / ops;
            // the writer's CPU during the raw block is the tail of the previous Warden block
            wardenTotal[r] = (b.caller() + b.auditWriter() + a.auditWriter() + b.otherWarden() + a.otherWarden())
                    / 1000.0 / ops;
            System.out.printf(Locale.ROOT, "%s round %d: raw caller %.2f µs, Warden caller %.2f + writer %.2f "
                            + "+ other %.2f µs (JVM rest: raw %.2f, Warden %.2f)%n", s.name(), r + 1, rawCaller[r],
                    b.caller() / 1000.0 / ops, (a.auditWriter() + b.auditWriter()) / 1000.0 / ops,
                    (a.otherWarden() + b.otherWarden()) / 1000.0 / ops, a.rest() / 1000.0 / ops,
                    b.rest() / 1000.0 / ops);
        }
        double n = (double) ops * rounds;
        double wCaller = warden.caller() / 1000.0 / n;
        double wWriter = (warden.auditWriter() + raw.auditWriter()) / 1000.0 / n;
        double wOther = (warden.otherWarden() + raw.otherWarden()) / 1000.0 / n;
        double rCaller = raw.caller() / 1000.0 / n;
        double[] diffs = new double[rounds];
        for (int r = 0; r < rounds; r++) diffs[r] = wardenTotal[r] - rawCaller[r];
        Arrays.sort(diffs);
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | **+%.2f** (rounds %.2f–%.2f) | %.1f | %.1f |",
                s.title(), rCaller, wCaller, wWriter, wOther, wCaller + wWriter + wOther - rCaller, diffs[0],
                diffs[rounds - 1], rawWall / 1000.0 / n, wardenWall / 1000.0 / n);
    }

    private static Snapshot block(Op op, Connections c, int ops) throws SQLException {
        Snapshot before = ThreadCpu.now();
        for (int i = 0; i < ops; i++) op.run();
        Snapshot used = ThreadCpu.now().minus(before);
        c.deleteInserted();
        return used;
    }
}

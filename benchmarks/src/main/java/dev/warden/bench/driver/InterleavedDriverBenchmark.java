package dev.warden.bench.driver;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The {@link DriverBenchmark} scenarios with raw pgjdbc and Warden taking turns inside one JVM: even iterations
 * (counting warm-up, from 0) run the raw half, odd ones the Warden half. Run as separate forks, two identical
 * runs on this machine differ by up to 25% (JIT decisions, where the threads land, what else the host runs), which
 * swamps a 10% target; alternating one-second slices in the same fork cancels slow drift and leaves both halves
 * the same JVM, compiled code and database. {@link DriverBenchmarks} splits the iterations by parity and compares
 * their medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 1)
@Measurement(iterations = 20, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class InterleavedDriverBenchmark {

    /** Whose turn it is; flips before every iteration, warm-up included. */
    @State(Scope.Thread)
    public static class Turn {
        int iteration = -1;
        boolean warden;

        @Setup(Level.Iteration)
        public void next() {
            iteration++;
            warden = (iteration & 1) == 1;
        }
    }

    private final DriverBenchmark pair = new DriverBenchmark();

    @Benchmark
    public void pointSelect(Turn turn, CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        if (turn.warden) pair.pointSelect_warden(db, c, bh);
        else pair.pointSelect_raw(db, c, bh);
    }

    @Benchmark
    public void pointSelectReused(Turn turn, CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        if (turn.warden) pair.pointSelectReused_warden(db, c, bh);
        else pair.pointSelectReused_raw(db, c, bh);
    }

    @Benchmark
    public int insert(Turn turn, CustomersDatabase db, Connections c) throws SQLException {
        return turn.warden ? pair.insert_warden(db, c) : pair.insert_raw(db, c);
    }

    @Benchmark
    public void rangeSelect(Turn turn, Connections c, Blackhole bh) throws SQLException {
        if (turn.warden) pair.rangeSelect_warden(c, bh);
        else pair.rangeSelect_raw(c, bh);
    }

    @Benchmark
    public void plainPointSelect(Turn turn, CustomersDatabase db, Connections c, Blackhole bh) throws SQLException {
        if (turn.warden) pair.plainPointSelect_warden(db, c, bh);
        else pair.plainPointSelect_raw(db, c, bh);
    }
}

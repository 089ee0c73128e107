package dev.warden.bench.metrics;

import dev.warden.metrics.EngineMeters;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the engine's meters add per statement, alone: the statement counter (kind by identity among the
 * enum's names, decision), the overhead timer (an add, and for one guard in eight two {@code System.nanoTime()}
 * calls and two more adds) and a value
 * counter, on one thread and on two threads sharing one engine's counters (LongAdder cells under contention).
 * The difference to the statement path is too small to see through {@code OverheadBenchmark}'s noise on a
 * loaded machine, so it is measured here directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsBenchmark {

    private static final String SELECT = "SELECT";  // the engine passes StatementKind.SELECT.name(), the same instance

    private final EngineMeters meters = new EngineMeters("policy.yaml",
            List.of("SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "DDL", "TRUNCATE", "COPY", "TRANSACTION", "SET",
                    "OTHER"),
            List.of("42501", "0A000", "28000", "58000", "58030", "XX001", "22023", "42703"));

    /** What one statement records: its guard counted (and timed one in eight), its decision, one value decrypted. */
    @Benchmark
    public void statementRecorded() {
        long start = meters.guardStarting();
        meters.guardEnded(start);
        meters.statement(SELECT, EngineMeters.Decision.ALLOWED);
        meters.decrypted();
    }

    @Benchmark
    @Threads(2)
    public void statementRecordedByTwoThreads() {
        statementRecorded();
    }

    /** The floor of the timer: the two clock reads alone. */
    @Benchmark
    public long clockReadTwice() {
        long start = System.nanoTime();
        return System.nanoTime() - start;
    }

    /** The counters alone, without the clock. */
    @Benchmark
    public void countersOnly() {
        meters.guarded(100);
        meters.statement(SELECT, EngineMeters.Decision.ALLOWED);
        meters.decrypted();
    }

    /** The counter of the last kind in the list (OTHER, which every statement passed through is). */
    @Benchmark
    public void statementCountedAsOther() {
        meters.statement("OTHER", EngineMeters.Decision.ALLOWED);
    }
}

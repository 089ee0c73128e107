package dev.warden.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an async {@code record()} costs the statement below saturation: the hand-over to the writer thread
 * while the queue has room. {@link dev.warden.bench.audit.AuditRecordBenchmark} calls {@code record()} in a
 * tight loop and so measures the writer at saturation; here each measured invocation starts with an empty
 * queue (drained in the iteration's set-up) and records {@value #BATCH} events, fewer than the queue holds, so
 * the caller never waits for the writer. The score is per event. In this package because the queue's fill
 * level is package-private. Run: {@code java -jar benchmarks/target/benchmarks.jar AuditHandOffBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10)
@Measurement(iterations = 20)
@Fork(1)
public class AuditHandOffBenchmark {

    static final int BATCH = 20_000;

    private JsonLinesAuditSink sink;
    private AuditEvent event;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Path dir = Files.createTempDirectory("warden-audit-handoff");
        AuditSinkConfig config = AuditSinkConfig.defaults(dir.resolve("audit.jsonl"))
                .withDurability(AuditSinkConfig.Durability.ASYNC).withQueueCapacity(BATCH + 1);
        sink = new JsonLinesAuditSink(config, ChainKey.hmacSha256(new byte[32]));
        event = new AuditEvent("statement", Instant.now(), "bench-1", "session-1", "app", "billing",
                "order-processing", "bench", null, "SELECT", "SELECT id, name, email FROM customers WHERE email = ?",
                "0123456789abcdef", List.of("customers"), Map.of("customers.email", "plaintext"), List.of(),
                List.of("customers.email"), 1, "allowed", null, null, 25, List.of());
    }

    /** The caller's cost alone: every invocation starts with an empty queue. */
    @Setup(Level.Iteration)
    public void drain() throws InterruptedException {
        while (sink.queued() > 0) {
            Thread.sleep(1);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        sink.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void recordBelowSaturation() throws AuditUnavailableException {
        for (int i = 0; i < BATCH; i++) {
            sink.record(event);
        }
    }
}

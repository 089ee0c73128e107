package dev.warden.bench.audit;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSinkConfig;
import dev.warden.audit.ChainKey;
import dev.warden.audit.JsonLinesAuditSink;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording one audit event costs the statement that records it: {@code record()} on the hash-chained
 * JSON Lines sink, async (hand-off to the writer thread) and sync (group commit: returns once on disk).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar AuditRecordBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AuditRecordBenchmark {

    @Param({"ASYNC", "SYNC"})
    public AuditSinkConfig.Durability durability;

    private JsonLinesAuditSink sink;
    private Path dir;
    private AuditEvent event;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("warden-audit-bench");
        AuditSinkConfig config = AuditSinkConfig.defaults(dir.resolve("audit.jsonl")).withDurability(durability);
        sink = new JsonLinesAuditSink(config, ChainKey.hmacSha256(new byte[32]));
        event = new AuditEvent("statement", Instant.now(), "bench-1", "session-1", "app", "billing",
                "order-processing", "bench", null, "SELECT", "SELECT id, name, email FROM customers WHERE email = ?",
                "0123456789abcdef", List.of("customers"), Map.of("customers.email", "plaintext"), List.of(),
                List.of("customers.email"), 1, "allowed", null, null, 25, List.of());
    }

    @TearDown(Level.Trial)
    public void close() {
        sink.close();
    }

    @Benchmark
    public void record() throws Exception {
        sink.record(event);
    }
}

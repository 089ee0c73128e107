package dev.warden.audit;

import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.AuditTrails;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the audit writer thread spends per event, stage by stage, for an INSERT's event: its JSON content (with
 * the writer's reused encoder, and with a fresh one as every caller of {@link AuditLineCodec#content} gets),
 * the time stamp, the chain MAC (the keyset's Tink HMAC and plain JCE) and the whole {@link AuditChain#append}.
 * In this package because the chain is package-private. Run:
 * {@code java -jar benchmarks/target/benchmarks.jar AuditWriterStagesBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuditWriterStagesBenchmark {

    /** A previous event's hash as the chain writes it: the hex of a Tink-prefixed 32-byte tag. */
    private static final String PREV = "ab".repeat(37);

    private AuditEvent event;
    private ChainKey tink;
    private ChainKey jce;
    private AuditChain chain;
    private byte[] content;
    private long seq;

    @Setup
    public void setUp() {
        event = new AuditEvent("statement", Instant.now(), "e1f2a3b4-17", "6f1d2c3b-aaaa-bbbb-cccc-0123456789ab",
                "postgres", "billing", "order-processing", "warden-driver", null, "INSERT",
                "INSERT INTO customers (name, email, card_number) VALUES (?, ?, ?)", "0123456789abcdef",
                List.of("customers"), null, List.of("customers.card_number", "customers.email"), List.of(), 1,
                "allowed", null, null, 48, List.of());
        tink = AuditTrails.chainKey(WardenKeyset.generate());
        jce = ChainKey.hmacSha256(new byte[32]);
        chain = new AuditChain(tink, 0, "");
        content = AuditLineCodec.content(1, PREV, event);
    }

    private final AuditLineCodec.ContentEncoder encoder = new AuditLineCodec.ContentEncoder();

    @Benchmark
    public byte[] jsonReused() {
        return encoder.content(++seq, PREV, event);
    }

    @Benchmark
    public byte[] jsonFreshEncoder() {
        return AuditLineCodec.content(++seq, PREV, event);
    }

    @Benchmark
    public String time() {
        return AuditLineCodec.formatTime(event.time());
    }

    @Benchmark
    public byte[] macTink() {
        return tink.mac(content);
    }

    @Benchmark
    public byte[] macJce() {
        return jce.mac(content);
    }

    @Benchmark
    public byte[] append() {
        return chain.append(event);
    }
}

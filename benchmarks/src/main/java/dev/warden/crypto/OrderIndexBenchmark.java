package dev.warden.crypto;

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
 * The order index of a bigint column without a database: what a write pays ({@code encrypt}: left and right
 * ciphertexts), what a query bound pays ({@code encryptLeft}), and one comparison as Warden would run it
 * ({@code compare} against one of 1,024 stored right ciphertexts in turn; the database runs the same in plpgsql, see docs/order-index.md).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar OrderIndexBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OrderIndexBenchmark {

    private OrderIndex index;
    private long value = 1_234_567_890L;
    private byte[] left;
    /** Many stored values, as in a scan: the JDK skips the key schedule when a cipher is re-keyed with the same key. */
    private final byte[][] rights = new byte[1024][];
    private int next;

    @Setup
    public void setUp() throws KeyException {
        index = WardenKeyset.generate().orderIndex("customers.credit_limit", LogicalType.BIGINT);
        left = index.encryptLeft(value);
        for (int i = 0; i < rights.length; i++) rights[i] = index.encrypt(value + i - 512).right();
    }

    @Benchmark
    public LewiWuBlockOre.Ciphertexts encrypt() {
        return index.encrypt(value);
    }

    @Benchmark
    public byte[] encryptLeft() {
        return index.encryptLeft(value);
    }

    @Benchmark
    public int compare() {
        next = (next + 1) & (rights.length - 1);
        return LewiWuBlockOre.compare(left, rights[next]);
    }
}

package dev.warden.sql;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The lexer and the analyzer alone, without a database: what a statement costs the first time its text is seen
 * (the analysis is cached by text afterwards, see DESIGN.md "never parse on the hot path"). The lexer on a
 * 100-character plain SELECT with two literals; JSqlParser and the resolver on a point SELECT and on a join.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar AnalyzerBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AnalyzerBenchmark {

    private static final Catalog CATALOG = table -> Map.of(
            "customers", List.of("id", "name", "email", "card_number", "phone"),
            "orders", List.of("id", "customer_id", "email", "total")).get(table.name());

    // state fields, not constants, so that the JIT cannot fold the work away
    private String plainSelect =
            "SELECT id, name, email FROM customers WHERE email = 'alice@example.com' AND id = 42 ORDER BY 1";
    private final SqlAnalyzer analyzer = new SqlAnalyzer();
    private LexedSql point = SqlLexer.lex("select name, email from customers where id = ?");
    private LexedSql join = SqlLexer.lex("select c.name, o.total from customers c join orders o "
            + "on o.customer_id = c.id where c.email = ? and o.total = ? order by o.id");

    /** A new String each time: the lexer gives the same String object, lexed again on one thread, its last reading. */
    @Benchmark
    public LexedSql lexPlainSelect() {
        return SqlLexer.lex(new String(plainSelect));
    }

    @Benchmark
    public Plan analyzePointSelect() {
        return analyzer.analyze(point, CATALOG);
    }

    @Benchmark
    public Plan analyzeJoin() {
        return analyzer.analyze(join, CATALOG);
    }
}

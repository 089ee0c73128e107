package dev.warden.sql;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A rough timing loop, not a JMH benchmark and not an assertion: run with {@code -Dwarden.timing=true} to print
 * the lexer and analyzer cost per statement on this machine.
 */
@EnabledIfSystemProperty(named = "warden.timing", matches = "true")
class SqlTimingTest {

    private static final Catalog CATALOG = t -> Map.of(
            "customers", List.of("id", "name", "email", "card_number", "phone"),
            "orders", List.of("id", "customer_id", "email", "total")).get(t.name());

    @Test
    void printTimings() {
        String hundred = "SELECT id, name, email FROM customers WHERE email = 'alice@example.com' AND id = 42 ORDER BY 1";
        String point = "select name, email from customers where id = ?";
        String join = "select c.name, o.total from customers c join orders o on o.customer_id = c.id "
                + "where c.email = ? and o.total = ? order by o.id";
        System.out.printf("statement length %d chars%n", hundred.length());
        System.out.printf("lexer:              %.2f us%n", time(() -> SqlLexer.lex(hundred), 2_000_000));
        SqlAnalyzer analyzer = new SqlAnalyzer();
        LexedSql p = SqlLexer.lex(point);
        LexedSql j = SqlLexer.lex(join);
        System.out.printf("analyze point:      %.2f us%n", time(() -> analyzer.analyze(p, CATALOG), 50_000));
        System.out.printf("analyze join:       %.2f us%n", time(() -> analyzer.analyze(j, CATALOG), 50_000));
    }

    private static double time(Runnable r, int n) {
        for (int i = 0; i < n; i++) r.run(); // warm-up
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) r.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1000.0 / n;
    }
}

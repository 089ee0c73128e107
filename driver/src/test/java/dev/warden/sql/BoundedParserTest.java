package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Statements that would keep JSqlParser busy (its time grows exponentially with nesting) are refused before
 * parsing; a parse that outlives its deadline is refused and really stops; the pool never grows past its bound.
 * Assertions are on behaviour (what ran on the pool, whether its threads are idle), not on elapsed time.
 */
class BoundedParserTest {

    private BoundedParser parser;

    @AfterEach
    void stop() {
        if (parser != null) parser.shutdown();
    }

    /** {@code SELECT (((...email...))) FROM customers}, {@code n} parentheses deep. */
    static String parentheses(int n) {
        return "SELECT " + "(".repeat(n) + "email" + ")".repeat(n) + " FROM customers WHERE id = ?";
    }

    /** {@code SELECT (SELECT (SELECT ... email ...)) FROM customers}, {@code n} scalar subqueries deep. */
    static String scalarSubqueries(int n) {
        return "SELECT " + "(SELECT ".repeat(n) + "email" + ")".repeat(n) + " FROM customers";
    }

    @Test
    void deepNestingIsRefusedBeforeAnyParseRuns() {
        parser = new BoundedParser(1, 4, 60_000, BoundedParser.MAX_BRACKETS, BoundedParser.MAX_QUERIES);
        for (String sql : List.of(parentheses(1000), scalarSubqueries(300), parentheses(33), scalarSubqueries(9),
                "SELECT ARRAY[" + "ARRAY[".repeat(9) + "1" + "]".repeat(10) + " FROM customers",
                "SELECT 1 FROM customers WHERE id IN " + "(SELECT id FROM customers WHERE id IN ".repeat(9) + "(?)"
                        + ")".repeat(9))) {
            BoundedParser.Refusal e = assertThrows(BoundedParser.Refusal.class, () -> parser.parse(sql));
            assertTrue(e.getMessage().contains("deep; Warden analyses at most"), e.getMessage());
            assertFalse(e.isTransient(), "the same text is refused every time: the refusal may be cached");
        }
        assertEquals(0, parser.started(), "no parse was started for a refused statement");
        assertEquals(0, parser.running());
    }

    @Test
    void nestingUpToTheLimitsParses() throws Exception {
        parser = new BoundedParser(1, 4, 60_000, BoundedParser.MAX_BRACKETS, BoundedParser.MAX_QUERIES);
        assertNotNull(parser.parse("SELECT name FROM customers WHERE " + "(".repeat(32) + "email = ?" + ")".repeat(32)));
        assertNotNull(parser.parse(scalarSubqueries(BoundedParser.MAX_QUERIES)));
        assertNotNull(parser.parse("SELECT * FROM " + "(SELECT * FROM ".repeat(8) + "customers" + ") x".repeat(8)));
        assertEquals(3, parser.started());
    }

    @Test
    void aParseThatOutlivesItsDeadlineIsRefusedAndItsThreadStops() throws Exception {
        // limits lifted so that the parse starts: 24 nested scalar subqueries would keep JSqlParser busy for hours (18: a minute here)
        parser = new BoundedParser(1, 4, 200, 1000, 1000);
        BoundedParser.Refusal e = assertThrows(BoundedParser.Refusal.class, () -> parser.parse(scalarSubqueries(24)));
        assertTrue(e.getMessage().contains("took longer than 200 ms to parse"), e.getMessage());
        assertTrue(e.isTransient(), "a timeout says nothing about the text: never cached");
        // the abort flag makes the parser give up: its thread is idle long before the parse could have finished
        awaitIdle(parser, 30);
        assertEquals(0, parser.running(), "the timed-out parse still holds its thread");
        // and the thread serves the next statement
        assertNotNull(parser.parse("SELECT email FROM customers"));
    }

    @Test
    void aFullPoolRefusesAtOnceInsteadOfGrowing() throws Exception {
        // the slow parse holds the only thread until its 3 s deadline, the next statement waits in the queue
        parser = new BoundedParser(1, 1, 3_000, 1000, 1000);
        String slow = scalarSubqueries(24);
        CompletableFuture<Object> first = CompletableFuture.supplyAsync(() -> outcome(slow));
        awaitRunning(parser);
        CompletableFuture<Object> queued = CompletableFuture.supplyAsync(() -> outcome("SELECT 1 FROM customers"));
        for (int i = 0; i < 200 && parser.started() < 2; i++) Thread.sleep(10);
        BoundedParser.Refusal busy = assertThrows(BoundedParser.Refusal.class,
                () -> parser.parse("SELECT 2 FROM customers"));
        assertTrue(busy.getMessage().contains("the SQL parser is busy (1 threads"), busy.getMessage());
        assertTrue(busy.isTransient());
        assertEquals(1, parser.running(), "the pool did not grow");
        assertTrue(first.get(60, TimeUnit.SECONDS) instanceof BoundedParser.Refusal, "the slow parse timed out");
        // the queued statement's deadline ran while it waited: refused (transient), never left hanging
        Object waited = queued.get(60, TimeUnit.SECONDS);
        assertTrue(!(waited instanceof Exception) || waited instanceof BoundedParser.Refusal r && r.isTransient(),
                String.valueOf(waited));
    }

    @Test
    void theAnalyzerTurnsARefusalIntoAProblemAndMarksOnlyTransientOnes() {
        parser = new BoundedParser(1, 4, 200, BoundedParser.MAX_BRACKETS, BoundedParser.MAX_QUERIES);
        SqlAnalyzer analyzer = new SqlAnalyzer(parser);
        Catalog catalog = table -> Map.of("customers", List.of("id", "email")).get(table.name());
        Plan deep = analyzer.analyze(SqlLexer.lex(parentheses(1000).replace("?", "'jane@example.com'")), catalog);
        assertFalse(deep.resolved());
        assertFalse(deep.transientProblem());
        assertTrue(deep.problems().get(0).startsWith("statement nests parentheses or brackets 1000 deep"),
                deep.problems().toString());
        assertFalse(deep.problems().toString().contains("jane"), "never a value");
        Plan copy = analyzer.analyze(SqlLexer.lex("COPY (" + scalarSubqueries(300) + ") TO STDOUT"), catalog);
        assertTrue(copy.problems().toString().contains("parentheses or brackets 300 deep"),
                copy.problems().toString());
        assertEquals(0, parser.started());
    }

    private Object outcome(String sql) {
        try {
            return parser.parse(sql);
        } catch (Exception e) {
            return e;
        }
    }

    private static void awaitRunning(BoundedParser parser) throws InterruptedException {
        for (int i = 0; i < 3000 && parser.running() == 0; i++) Thread.sleep(10);
        assertEquals(1, parser.running());
    }

    private static void awaitIdle(BoundedParser parser, int seconds) throws InterruptedException {
        for (int i = 0; i < seconds * 100 && parser.running() > 0; i++) Thread.sleep(10);
    }
}

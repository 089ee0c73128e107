package dev.warden.sql;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.Statement;

/**
 * Runs JSqlParser on one statement with bounded cost. JSqlParser's time grows exponentially with nesting (measured
 * on 5.3: 1,000 nested parentheses or 300 nested scalar subqueries keep it busy past its timeout, and a thread it
 * was parsing on kept burning CPU for another 15 s after the timeout, since it ignores thread interruption), so:
 * <ol>
 *   <li>a statement nested deeper than {@code maxBrackets} brackets or {@code maxQueries} subqueries is refused
 *       before parsing, from the lexer's reading of it ({@link SqlLexer#nesting}): microseconds, no thread;</li>
 *   <li>the parse runs on a fixed pool of daemon threads with a bounded queue; when every thread is busy and the
 *       queue is full the statement is refused at once rather than waiting or growing the pool;</li>
 *   <li>a parse that outlives {@code timeoutMillis} is refused, and the parser's own abort flag
 *       ({@code CCJSqlParser.interrupted}, which its lookaheads check) is set so that its thread gives up: what the
 *       nesting limits let through stops within milliseconds of the flag.</li>
 * </ol>
 * JSqlParser's retry with "complex parsing" after a failed simple parse is kept, but never after a timeout (which
 * would double the time spent on a statement already too slow). Thread-safe; one shared instance serves every
 * engine of the JVM, so the threads it may burn are bounded per process.
 */
final class BoundedParser {

    /** Deeper bracket nesting than this is refused unparsed (measured: 64 levels parse in well under a second). */
    static final int MAX_BRACKETS = 32;
    /** Deeper subquery nesting than this is refused unparsed (measured: cost grows about 3x per level past 8). */
    static final int MAX_QUERIES = 8;
    /** Far above any parse the limits let through, so that only an overloaded machine ever reaches it. */
    static final long TIMEOUT_MILLIS = 5_000;
    private static final int QUEUE = 256;

    /** Numbers the pools' thread names; declared before {@link #SHARED}, whose construction uses it. */
    private static final AtomicInteger POOLS = new AtomicInteger();

    static final BoundedParser SHARED = new BoundedParser(Math.max(2, Runtime.getRuntime().availableProcessors()),
            QUEUE, TIMEOUT_MILLIS, MAX_BRACKETS, MAX_QUERIES);

    /** A statement refused without (or before the end of) parsing; the message names the limit, never a value. */
    static final class Refusal extends Exception {
        private final boolean transientCondition;

        Refusal(String message, boolean transientCondition) {
            super(message, null, false, false);
            this.transientCondition = transientCondition;
        }

        /** True when the same text may parse another time (timeout, busy pool), so its refusal must not be cached. */
        boolean isTransient() {
            return transientCondition;
        }
    }

    private final ThreadPoolExecutor pool;
    private final long timeoutMillis;
    private final int maxBrackets;
    private final int maxQueries;

    BoundedParser(int threads, int queue, long timeoutMillis, int maxBrackets, int maxQueries) {
        int id = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                r -> {
                    Thread t = new Thread(r, "warden-sql-parser-" + id + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.pool.allowCoreThreadTimeOut(true);
        this.timeoutMillis = timeoutMillis;
        this.maxBrackets = maxBrackets;
        this.maxQueries = maxQueries;
    }

    /**
     * The parsed statement, or null for an empty text.
     *
     * @throws Refusal            when the text is nested too deeply, the parse took too long or the pool is full
     * @throws JSQLParserException when JSqlParser cannot read the text
     */
    Statement parse(String sql) throws Refusal, JSQLParserException {
        if (sql == null || sql.isBlank()) return null;
        SqlLexer.Nesting nesting = SqlLexer.nesting(sql);
        if (nesting.brackets() > maxBrackets) {
            throw new Refusal("statement nests parentheses or brackets " + nesting.brackets() + " deep; Warden"
                    + " analyses at most " + maxBrackets + " (the parser's time grows exponentially with nesting)", false);
        }
        if (nesting.queries() > maxQueries) {
            throw new Refusal("statement nests subqueries or array constructors " + nesting.queries() + " deep;"
                    + " Warden analyses at most " + maxQueries + " (the parser's time grows exponentially with"
                    + " nesting)", false);
        }
        try {
            return run(CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(false));
        } catch (JSQLParserException simple) {
            if (timedOut(simple)) throw timeout();
            if (CCJSqlParserUtil.getNestingDepth(sql) > CCJSqlParserUtil.ALLOWED_NESTING_DEPTH) throw simple;
            // as CCJSqlParserUtil.parse does: some shapes parse only with complex parsing, on a fresh parser
            try {
                return run(CCJSqlParserUtil.newParser(sql).withAllowComplexParsing(true));
            } catch (JSQLParserException complex) {
                if (timedOut(complex)) throw timeout();
                throw complex;
            }
        }
    }

    private Statement run(CCJSqlParser parser) throws JSQLParserException, Refusal {
        try {
            // parseStatement sets parser.interrupted and cancels the task when the deadline passes
            return CCJSqlParserUtil.parseStatement(parser.withTimeOut(timeoutMillis), pool);
        } catch (RejectedExecutionException e) {
            throw new Refusal("the SQL parser is busy (" + pool.getMaximumPoolSize() + " threads and "
                    + pool.getQueue().size() + " queued statements); refused rather than waiting", true);
        } catch (JSQLParserException e) {
            if (e.getCause() instanceof InterruptedException) {
                // the caller was interrupted while waiting: nothing is known about the text, and the flag stays set
                Thread.currentThread().interrupt();
                throw new Refusal("interrupted while waiting for the SQL parser", true);
            }
            throw e;
        }
    }

    private static boolean timedOut(JSQLParserException e) {
        return e.getCause() instanceof TimeoutException;
    }

    private Refusal timeout() {
        return new Refusal("statement took longer than " + timeoutMillis + " ms to parse; its parse was stopped",
                true);
    }

    /** Parses running now (for tests: a refused statement must leave none behind). */
    int running() {
        return pool.getActiveCount();
    }

    /** Parses begun since this parser was made (for tests: a statement refused before parsing adds none). */
    long started() {
        return pool.getTaskCount();
    }

    /** Stops the threads (tests only; the shared parser lives as long as the JVM). */
    void shutdown() {
        pool.shutdownNow();
    }
}

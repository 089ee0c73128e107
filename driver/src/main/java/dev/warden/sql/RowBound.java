package dev.warden.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Set;

/**
 * What the shape of a query says about how many rows it can return, whatever the data: the question a front
 * door asks before it runs a query as one autocommit statement (the driver then reads the result whole) rather
 * than in a transaction that lets the driver fetch it in chunks. Judged from the normalised text alone
 * ({@link RowBoundReader}); what depends on the literals or on the live catalog is left to the caller:
 * <ul>
 *   <li>{@link Unbounded}: any shape not listed below, and anything the parser cannot read;</li>
 *   <li>{@link AtMostOne}: a SELECT without FROM whose select list holds no function call (no set-returning
 *       function can multiply its one row);</li>
 *   <li>{@link Limited}: a plain SELECT ending in {@code LIMIT n} or {@code FETCH FIRST n ROWS ONLY}, where
 *       {@code n} is the normalised text's slot {@code slot} (bounded when that slot is a literal the caller
 *       accepts, never when it is a parameter);</li>
 *   <li>{@link KeyLookup}: a SELECT from one table, without join, grouping, DISTINCT or function call in its
 *       select list, whose WHERE is a conjunction comparing each of {@code equalColumns} with a literal or a
 *       parameter: at most one row when the table has a unique key within those columns (the caller checks).</li>
 * </ul>
 * A wrong "bounded" costs memory, never correctness (a statement runs alike in autocommit and in an implicit
 * transaction), but every rule is conservative anyway: a shape not recognised is {@link Unbounded}.
 * Immutable values; {@link #of} is thread-safe.
 */
public sealed interface RowBound {

    /** No bound known. */
    record Unbounded() implements RowBound {}

    /** One row at most (a SELECT without FROM). */
    record AtMostOne() implements RowBound {}

    /** At most as many rows as the literal in slot {@code slot} (0-based) of the normalised text says. */
    record Limited(int slot) implements RowBound {}

    /**
     * At most one row when {@code table} has a unique key whose columns are all among {@code equalColumns}
     * (case-folded names), each compared for equality with a literal or a parameter in a top-level conjunct.
     */
    record KeyLookup(TableName table, Set<String> equalColumns) implements RowBound {
        public KeyLookup {
            equalColumns = Set.copyOf(equalColumns);
        }
    }

    RowBound UNBOUNDED = new Unbounded();
    RowBound AT_MOST_ONE = new AtMostOne();

    /**
     * The bound of one statement's shape, cached by normalised text (a pure function of it): parsed once per
     * distinct shape, about a microsecond (the lexer's) for every later statement of that shape.
     */
    static RowBound of(LexedSql sql) {
        if (sql.statementCount() != 1) return UNBOUNDED;
        RowBound bound = Shapes.CACHE.get(sql.normalized(), RowBoundReader::read);
        return bound == null ? UNBOUNDED : bound;  // null: the parser was busy, ask again next time
    }

    /** The cache behind {@link #of}: a few thousand shapes cover any application. */
    final class Shapes {
        private static final Cache<String, RowBound> CACHE = Caffeine.newBuilder().maximumSize(10_000).build();

        private Shapes() {}
    }
}

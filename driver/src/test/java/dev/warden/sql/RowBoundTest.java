package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The shapes whose result a front door may read whole (one autocommit statement), and the close ones it may not. */
class RowBoundTest {

    private static RowBound bound(String sql) {
        return RowBound.of(SqlLexer.lex(sql));
    }

    private static void unbounded(String sql) {
        assertInstanceOf(RowBound.Unbounded.class, bound(sql), sql);
    }

    private static void keyLookup(String sql, TableName table, String... columns) {
        assertEquals(new RowBound.KeyLookup(table, Set.of(columns)), bound(sql), sql);
    }

    private static final TableName T = new TableName(null, "t");

    @Test
    void pgbenchSelectOnlyIsALookupOfItsKeyColumn() {
        keyLookup("SELECT abalance FROM pgbench_accounts WHERE aid = ?",
                new TableName(null, "pgbench_accounts"), "aid");
        keyLookup("SELECT abalance FROM pgbench_accounts WHERE aid = 48213;",
                new TableName(null, "pgbench_accounts"), "aid");
    }

    @Test
    void equalityConjunctsOfOneTableAreCollected() {
        keyLookup("select * from public.t where id = ? and x > 3", new TableName("public", "t"), "id");
        keyLookup("SELECT a.v FROM t a WHERE a.id = $1", T, "id");
        keyLookup("SELECT v FROM t AS a WHERE id = 'k'", T, "id");
        keyLookup("SELECT t.v FROM t WHERE t.id = 1", T, "id");
        keyLookup("SELECT v FROM t WHERE ? = id", T, "id");
        keyLookup("SELECT v FROM t WHERE id = ?::int", T, "id");
        keyLookup("SELECT v FROM t WHERE id = CAST(? AS bigint)", T, "id");
        keyLookup("SELECT v FROM t WHERE id = ('7'::int4)", T, "id");  // pgjdbc's simple mode
        keyLookup("SELECT v FROM t WHERE (a = 1 AND b = 'x') AND c = ?", T, "a", "b", "c");
        keyLookup("SELECT v FROM t WHERE id = 1 AND NOT (x = 2)", T, "id");
        keyLookup("SELECT v FROM t WHERE id = 1 AND x IN (SELECT y FROM u)", T, "id");
        keyLookup("SELECT \"V\" FROM \"Tab\" WHERE \"Id\" = 1", new TableName(null, "Tab"), "Id");
        keyLookup("SELECT t.* FROM t WHERE id = 1 FOR UPDATE", T, "id");
        keyLookup("SELECT *, 1, 'a', ?::int FROM t WHERE id = 1 ORDER BY v", T, "id");
    }

    @Test
    void selectsWithoutFromAndWithoutFunctionsReturnOneRow() {
        assertInstanceOf(RowBound.AtMostOne.class, bound("SELECT 1"));
        assertInstanceOf(RowBound.AtMostOne.class, bound("select ?"));
        assertInstanceOf(RowBound.AtMostOne.class, bound("SELECT 'a', 2.5, NULL, true, CAST(? AS int), ?::text"));
        assertInstanceOf(RowBound.AtMostOne.class, bound("SELECT 1 WHERE EXISTS (SELECT 1 FROM t)"));
    }

    @Test
    void limitAndFetchFirstNameTheSlotOfTheirCount() {
        assertEquals(new RowBound.Limited(0), bound("SELECT * FROM t LIMIT 10"));
        assertEquals(new RowBound.Limited(1), bound("SELECT * FROM t WHERE x = 'a' LIMIT 10 OFFSET 5"));
        assertEquals(new RowBound.Limited(0), bound("SELECT * FROM t JOIN u ON t.id = u.id ORDER BY 1 LIMIT 3"));
        assertEquals(new RowBound.Limited(2), bound("SELECT generate_series(1, 100000000) LIMIT 3"));
        assertEquals(new RowBound.Limited(0), bound("SELECT * FROM t ORDER BY x FETCH FIRST 5 ROWS ONLY"));
        assertEquals(new RowBound.Limited(0), bound("SELECT * FROM t LIMIT ?"));
        assertInstanceOf(RowBound.AtMostOne.class, bound("SELECT * FROM t FETCH FIRST ROW ONLY"));
    }

    @Test
    void closeShapesThatMayReturnManyRowsAreUnbounded() {
        unbounded("SELECT * FROM t");
        unbounded("SELECT * FROM t WHERE id > 1");
        unbounded("SELECT * FROM t WHERE id = 1 OR id = 2");
        unbounded("SELECT * FROM t WHERE NOT (id = 1)");
        unbounded("SELECT * FROM t WHERE id IN (1)");
        unbounded("SELECT * FROM t WHERE id = other");
        unbounded("SELECT * FROM t WHERE lower(name) = 'x'");
        unbounded("SELECT * FROM t WHERE id = (SELECT max(id) FROM t)");
        unbounded("SELECT * FROM t WHERE id = 1 + 1");
        unbounded("SELECT * FROM t WHERE id = (1, 2)");
        unbounded("SELECT * FROM t WHERE (id, x) = (1, 2)");
        unbounded("SELECT * FROM t WHERE u.id = 1");
        unbounded("SELECT * FROM t AS a WHERE t.id = 1");
        // function calls in the select list: a set-returning function multiplies the row
        unbounded("SELECT generate_series(1, 1000000) FROM t WHERE id = 1");
        unbounded("SELECT count(*) FROM t WHERE id = 1");
        unbounded("SELECT unnest(arr) FROM t WHERE id = 1");
        unbounded("SELECT generate_series(1, 1000000)");
        unbounded("SELECT (SELECT 1)");
        unbounded("SELECT x + 1 FROM t WHERE id = 1");
        // several relations, or one that is not a plain table
        unbounded("SELECT * FROM t JOIN u ON t.id = u.id WHERE t.id = 1");
        unbounded("SELECT * FROM t, u WHERE t.id = 1");
        unbounded("SELECT * FROM t CROSS JOIN LATERAL generate_series(1, 1000) g WHERE t.id = 1");
        unbounded("SELECT * FROM (SELECT * FROM t) s WHERE id = 1");
        unbounded("SELECT * FROM generate_series(1, 10) g WHERE g = 1");
        // clauses that change cardinality or that the reader does not know
        unbounded("SELECT id FROM t WHERE id = 1 GROUP BY id");
        unbounded("SELECT DISTINCT ON (x) * FROM t WHERE id = 1");
        unbounded("SELECT DISTINCT 1");
        unbounded("WITH x AS (SELECT 1) SELECT * FROM x LIMIT 1");
        unbounded("WITH x AS (SELECT * FROM t) SELECT * FROM t WHERE id = 1");
        unbounded("SELECT * INTO copy FROM t WHERE id = 1");
        unbounded("SELECT * FROM t UNION SELECT * FROM u LIMIT 5");
        unbounded("(SELECT * FROM t WHERE id = 1)");
        unbounded("VALUES (1)");
        unbounded("TABLE t");
        unbounded("SELECT 1; SELECT 2");
        unbounded("SELECT * FROM t WHERE id = 1; SELECT * FROM t");
        // limits that are no literal count
        unbounded("SELECT * FROM t LIMIT ALL");
        unbounded("SELECT * FROM t LIMIT NULL");
        unbounded("SELECT * FROM t LIMIT 5 + 5");
        unbounded("SELECT * FROM t ORDER BY x FETCH FIRST 5 ROWS WITH TIES");
        unbounded("SELECT * FROM t ORDER BY x FETCH FIRST 5 PERCENT ROWS ONLY");
        // not SELECT at all
        unbounded("INSERT INTO t VALUES (1) RETURNING *");
        unbounded("DELETE FROM t WHERE id = 1 RETURNING *");
        unbounded("not sql at all");
    }
}

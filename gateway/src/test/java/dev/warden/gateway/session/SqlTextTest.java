package dev.warden.gateway.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Statement splitting, leading words, $n to ? conversion, command tags and transaction status. */
class SqlTextTest {

    @Test
    void splitsOnlyOnSemicolonsOutsideQuotesAndComments() {
        assertEquals(List.of("select 'a;b'", "select \"x;y\" from t", "select $$;$$", "select $q$ ; $q$",
                        "select 1 -- ;\n + 1", "select /* ; /* ; */ */ 2", "select E'\\';'"),
                SqlText.split("select 'a;b'; select \"x;y\" from t;select $$;$$; select $q$ ; $q$;"
                        + "select 1 -- ;\n + 1; select /* ; /* ; */ */ 2; select E'\\';'"));
        assertEquals(List.of(), SqlText.split(" ; ;-- nothing\n/* here */"));
        assertEquals(List.of("select 1"), SqlText.split("select 1;;"));
        // a carriage return ends a line comment, as in PostgreSQL: the ";" after it splits
        assertEquals(List.of("select 1 --x", "select 2"), SqlText.split("select 1 --x\r; select 2"));
    }

    @Test
    void splitKeepsBeginAtomicBodiesAndEndsLineCommentsAtTheEndOfTheText() {
        String create = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END";
        assertEquals(List.of(create, "select 3"), SqlText.split(create + "; select 3;"));
        assertEquals(List.of("begin", "select 1", "end"), SqlText.split("begin; select 1; end"));
        assertEquals(List.of("select 1 -- ; no newline"), SqlText.split("select 1 -- ; no newline"));
        assertEquals(List.of("select $f$ $$; $f$", "select 2"), SqlText.split("select $f$ $$; $f$; select 2"));
    }

    @Test
    void jsonbQuestionMarkOperatorsStayOperatorsAndCastsStayCasts() {
        SqlText.JdbcSql j = SqlText.toJdbc("select j ?| array['a'], j ?& $1, j ?? 'x', $2::int, E'$3\\'' from t");
        assertEquals("select j ??| array['a'], j ??& ?, j ???? 'x', ?::int, E'$3\\'' from t", j.sql());
        assertArrayEquals(new int[] {1, 2}, j.markerToParam());
        assertEquals("select 1 -- $1 ?", SqlText.toJdbc("select 1 -- $1 ?").sql());
    }

    @Test
    void dollarParametersBecomeJdbcMarkersAndQuestionMarksAreEscaped() {
        SqlText.JdbcSql j = SqlText.toJdbc("select $2, $1, '$1', $2 from t where j ? 'k' and x = $10 /* $3 */");
        assertEquals("select ?, ?, '$1', ? from t where j ?? 'k' and x = ? /* $3 */", j.sql());
        assertArrayEquals(new int[] {2, 1, 2, 10}, j.markerToParam());
        assertEquals(10, j.parameterCount());
        assertEquals("select a$1 from t", SqlText.toJdbc("select a$1 from t").sql());
    }

    @Test
    void wordsAreTopLevelAndUpperCased() {
        assertEquals(List.of("WITH", "X", "AS", "INSERT", "INTO", "T", "SELECT", "FROM", "X"),
                SqlText.words("with x as (select 1) insert into t select * from x", 20));
        assertEquals(List.of("COPY", "T", "FROM", "STDIN"), SqlText.words("/* c */ COPY t (a, b) from stdin", 10));
        // a word read past a long parenthesised list: the first, short scan is extended to the whole text
        assertEquals(List.of("CREATE", "TABLE", "T", "AS", "SELECT"),
                SqlText.words("create table t (" + "a int, ".repeat(40) + "z int) as select 1", 5));
        assertEquals(List.of("SELECT"), SqlText.words("select E'it''s', $$x$$ \"q\"", 1));
    }

    @Test
    void commandTagsMatchPostgres() {
        assertEquals("SELECT 3", StatementKind.of("select 1").tag(true, 3, 'I'));
        assertEquals("INSERT 0 2", StatementKind.of("insert into t values (1),(2)").tag(false, 2, 'I'));
        assertEquals("INSERT 0 1", StatementKind.of("insert into t values (1) returning id").tag(true, 1, 'I'));
        assertEquals("UPDATE 5", StatementKind.of("update t set a = 1").tag(false, 5, 'I'));
        assertEquals("DELETE 0", StatementKind.of("with d as (select 1) delete from t").tag(false, 0, 'I'));
        assertEquals("CREATE TABLE", StatementKind.of("create table t(a int)").tag(false, 0, 'I'));
        assertEquals("CREATE TABLE", StatementKind.of("create temp table if not exists t(a int)").tag(false, 0, 'I'));
        assertEquals("SELECT 0", StatementKind.of("create table t as select 1").tag(false, 0, 'I'));
        assertEquals("CREATE INDEX", StatementKind.of("create unique index i on t(a)").tag(false, 0, 'I'));
        assertEquals("CREATE MATERIALIZED VIEW", StatementKind.of("create materialized view v as select 1")
                .tag(false, 0, 'I'));
        assertEquals("DROP TABLE", StatementKind.of("drop table if exists t").tag(false, 0, 'I'));
        assertEquals("ALTER TABLE", StatementKind.of("alter table t add primary key (a)").tag(false, 0, 'I'));
        assertEquals("BEGIN", StatementKind.of("begin").tag(false, 0, 'I'));
        assertEquals("START TRANSACTION", StatementKind.of("start transaction").tag(false, 0, 'I'));
        assertEquals("COMMIT", StatementKind.of("end").tag(false, 0, 'T'));
        assertEquals("ROLLBACK", StatementKind.of("commit").tag(false, 0, 'E'));
        assertEquals("SET", StatementKind.of("set search_path = x").tag(false, 0, 'I'));
        assertEquals("TRUNCATE TABLE", StatementKind.of("truncate a, b").tag(false, 0, 'I'));
        assertEquals("VACUUM", StatementKind.of("vacuum analyze t").tag(false, 0, 'I'));
        assertEquals("SHOW", StatementKind.of("show TimeZone").tag(true, 1, 'I'));
        assertEquals("DISCARD ALL", StatementKind.of("discard all").tag(false, 0, 'I'));
    }

    @Test
    void transactionStatusFollowsTheStatements() {
        assertEquals('T', StatementKind.of("BEGIN").statusAfterSuccess('I'));
        assertEquals('T', StatementKind.of("start transaction isolation level serializable").statusAfterSuccess('I'));
        assertEquals('T', StatementKind.of("select 1").statusAfterSuccess('T'));
        assertEquals('I', StatementKind.of("commit").statusAfterSuccess('T'));
        assertEquals('I', StatementKind.of("rollback").statusAfterSuccess('E'));
        assertEquals('T', StatementKind.of("rollback to savepoint a").statusAfterSuccess('E'));
        assertEquals('T', StatementKind.of("commit and chain").statusAfterSuccess('T'));
        assertEquals('I', StatementKind.of("commit and no chain").statusAfterSuccess('T'));
        assertEquals('I', StatementKind.of("prepare transaction 'x'").statusAfterSuccess('T'));
        assertEquals('E', StatementKind.statusAfterFailure('T'));
        assertEquals('I', StatementKind.statusAfterFailure('I'));
    }

    @Test
    void copyDirectionAndReportedSettingsAreRecognised() {
        assertTrue(StatementKind.of("copy t from stdin with (freeze on)").isCopyIn());
        assertTrue(StatementKind.of("COPY (select * from t) TO STDOUT").isCopyOut());
        assertFalse(StatementKind.of("copy t from '/tmp/file'").isCopyIn());
        assertEquals("TIMEZONE", StatementKind.of("set time zone 'UTC'").reportedSettingChanged());
        assertEquals("APPLICATION_NAME", StatementKind.of("SET SESSION application_name = x").reportedSettingChanged());
        assertEquals("ALL", StatementKind.of("reset all").reportedSettingChanged());
        assertNull(StatementKind.of("set search_path = x").reportedSettingChanged());
    }

    @Test
    void kindReadWithoutTokenizingAgreesWithTheTokenizer() {
        // StatementKind.of reads "SELECT ..." and its like without the tokenizer; whatever the text, it must say
        // what the tokenizer's leading words say
        for (String sql : List.of("select abalance from pgbench_accounts where aid = 1", "SELECT(1)", " \t\nSelect 1",
                "selectx 1", "select1", "select_1 from t", "select$1", "sel\u00e9ct 1", "SELECT\u00e9 1", "select",
                "select\u000b1", "(select 1)", "/* c */ select 1", "-- c\nselect 1", "\"select\" 1", "E'select' 1",
                "U&\"x\"", "insert into t values (1)", "INSERT\tINTO t", "update t set a = 1", "delete from t",
                "values (1)", "table t", "begin", "begin isolation level serializable", "show all", "merge into t",
                "selecting 1", "with x as (select 1) select * from x", "set client_encoding to 'UTF8'")) {
            List<String> words = SqlText.words(sql, 12);
            StatementKind k = StatementKind.of(sql);
            assertEquals(words.isEmpty() ? "" : words.get(0), k.first(), sql);
            assertTrue(words.subList(0, Math.min(k.words().size(), words.size())).equals(k.words())
                    || k.words().equals(words), sql);
        }
    }
}

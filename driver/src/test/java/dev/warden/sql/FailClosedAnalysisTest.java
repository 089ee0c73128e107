package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, classes 1, 3 and 10 without a database: every spelling that makes the server compute on, copy, or
 * compare a column reports that column (or a problem), never nothing.
 */
class FailClosedAnalysisTest {

    private static final TableName CUSTOMERS = new TableName(null, "customers");
    private static final Map<String, List<String>> TABLES = Map.of(
            "customers", List.of("id", "name", "email", "ssn", "tags"),
            "notes", List.of("id", "val"));
    private static final List<UniqueKey> KEYS = List.of(
            new UniqueKey("customers_pkey", List.of("id"), List.of()),
            new UniqueKey("customers_email_key", List.of("email"), List.of()),
            new UniqueKey("customers_lower_name", List.of(), List.of("name")));
    private static final Catalog CATALOG = new Catalog() {
        @Override
        public List<String> columns(TableName t) {
            return t.schema() == null ? TABLES.get(t.name()) : null;
        }

        @Override
        public List<UniqueKey> uniqueKeys(TableName t) {
            return "customers".equals(t.name()) ? KEYS : List.of();
        }
    };
    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer();

    private static Plan plan(String sql) {
        return ANALYZER.analyze(SqlLexer.lex(sql), CATALOG);
    }

    private static ColumnRef c(String column) {
        return new ColumnRef(CUSTOMERS, column);
    }

    /**
     * The column is reported as anything but a plain projection, or the statement has a problem. A range
     * (FILTER_ORDER) is reported for the compiler, which answers it through an order index or refuses it.
     */
    private static void assertNotPlain(String sql, String column) {
        Plan p = plan(sql);
        boolean reported = p.uses().stream().anyMatch(u -> u.column().equals(c(column))
                && (u.kind() == UseKind.UNSUPPORTED || u.kind() == UseKind.COPIED
                    || u.kind() == UseKind.FILTER_ORDER));
        boolean plain = p.outputs().stream().anyMatch(o -> c(column).equals(o.origin()));
        assertTrue(reported || !p.resolved(), () -> sql + " -> uses " + p.uses() + " problems " + p.problems());
        assertFalse(plain && p.resolved(), () -> sql + " shows " + column + " as a plain output: " + p.outputs());
    }

    // ---------------------------------------------------------------- class 1: special syntax

    @ParameterizedTest
    @ValueSource(strings = {
            "select substring(ssn from 1) from customers",
            "select substring(ssn from 1 for 3) from customers",
            "select substring(ssn, 1) from customers",
            "select id from customers where position('8' in ssn) = 8",
            "select overlay(ssn placing 'x' from 1 for 2) from customers",
            "select trim(both 'x' from ssn) from customers",
            "select trim(ssn) from customers",
            "select extract(year from ssn) from customers",
            "select cast(ssn as text) from customers",
            "select ssn::text from customers",
            "select ssn collate \"C\" from customers",
            "select ssn at time zone 'utc' from customers",
            "select tags[1] from customers",
            "select id from customers where tags[1] = ?",
            "select ssn -> 'k' from customers",
            "select ssn ->> 'k' from customers",
            "select row(ssn, 1) from customers",
            "select (customers).ssn from customers",
            "select x.s from (select substring(ssn from 1) s from customers) x",
            "select id from customers where ssn is unknown",
            "select id from customers where ssn is true",
            "select id from customers where ssn is distinct from ?",
            "select id from customers where (ssn, id) = (?, ?)",
            "select id from customers where ssn between ? and ?",
            "select id from customers where ssn similar to ?",
            "select id from customers where ssn ~ ?",
            "select case ssn when ? then 1 end from customers",
            "select coalesce(ssn, ?) from customers",
            "select id from customers order by ssn",
            "select string_agg(ssn, ',' order by ssn) from customers",
            "select count(*) filter (where ssn like ?) from customers",
            "select convert(ssn using utf8) from customers",
            "select xmlserialize(content ssn as text) from customers",
            "select array[ssn] from customers",
            "select id from customers where ssn in (select substring(ssn from 1) from customers)",
            "select x from customers, lateral substring(ssn from 1) x",
            "select to_json(c) from customers c",
            "select c from customers c",
            "select id from customers c where c = c",
            "select (select substring(ssn from 1)) from customers",
            "select id from customers where ssn::text like ?",
            "select id from customers where ssn = any(array[?, ssn])",
            "select id from customers where ssn is not distinct from ?",
    })
    void columnsInsideSpecialSyntaxAreNeverAPlainRead(String sql) {
        assertNotPlain(sql, sql.contains("tags") ? "tags" : "ssn");
    }

    /** {@code = ANY (?)} with one array parameter is understood: an equality filter (each element encrypted), never a read. */
    @Test
    void anyOfOneArrayParameterIsAnEqualityFilter() {
        Plan p = plan("select id from customers where ssn = any(?)");
        assertTrue(p.resolved(), () -> "problems " + p.problems());
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("ssn")) && u.kind() == UseKind.FILTER_EQUALITY),
                () -> "uses " + p.uses());
        assertFalse(p.outputs().stream().anyMatch(o -> c("ssn").equals(o.origin())), () -> "outputs " + p.outputs());
    }

    @Test
    void aNodeTypeWithoutARuleIsAProblem() {
        // MySQL's user variables and Oracle's CONNECT BY parse, but have no rule: refused, with the node named
        Plan p = plan("select @x from customers");
        assertFalse(p.resolved(), p::toString);
        assertTrue(p.problems().stream().anyMatch(s -> s.contains("UserVariable")), p.problems()::toString);
    }

    /** Shapes applications and ORMs send: the by-construction sweep must not turn them into problems. */
    @ParameterizedTest
    @ValueSource(strings = {
            "select c.id from customers c where c.id = ? for update",
            "select c.id from customers c where c.id = ? for update of c",
            "select c.id from customers c where c.id = ? for no key update of c skip locked",
            "select c.id from customers c where c.id = ? for share nowait",
            "select id from customers order by id desc nulls last limit ? offset ?",
            "select id from customers fetch first 10 rows only",
            "select id, row_number() over (partition by name order by id rows between unbounded preceding and current row) from customers",
            "select name, count(*) from customers group by name having count(*) > ?",
            "select distinct on (name) name, id from customers order by name, id",
            "select x.id from (select id from customers where email = ?) x join notes n on n.id = x.id",
            "select c.id from customers c, lateral (select n.val from notes n where n.id = c.id) l",
            "select id from customers where exists (select 1 from notes n where n.id = customers.id)",
            "select g.x from generate_series(1, 3) g(x)",
            "select id, now(), current_timestamp, interval '1 day', 'a'::text, cast(? as integer) from customers",
            "select id from customers where name is true or name is not null",
            "select case when id > ? then 'a' else 'b' end from customers",
            "with recent(i) as (select id from customers where id > ?) select i from recent",
            "insert into customers (id, email) values (?, ?), (?, ?) returning id",
            "insert into customers (id, email) values (?, ?) on conflict (email) do update set name = excluded.name where customers.id > ?",
            "update customers set name = n.val from notes n where n.id = customers.id and customers.email = ?",
            "delete from customers using notes n where n.id = customers.id and customers.email = ? returning customers.id",
            "select id from customers where id = any(?) and name like ?",
            "select array[1, 2], (select max(id) from notes) from customers",
            "values (1, 'a'), (2, 'b')",
            "select id from customers union all select id from notes order by 1",
    })
    void commonShapesStayClean(String sql) {
        Plan p = plan(sql);
        assertTrue(p.resolved(), () -> sql + " -> " + p.problems());
    }

    @Test
    void plainShapesStayClean() {
        for (String sql : List.of("select id, email from customers where email = ? and name is not null",
                "select count(email), count(*) from customers where id in (?, ?)",
                "select c.id from customers c join customers d on c.email = d.email",
                "select substring(name from 1), lower(name) from customers where id = ?",
                "insert into notes (id, val) values (?, ?)",
                "update customers set email = ?, name = ? where id = ? returning id, email")) {
            Plan p = plan(sql);
            assertTrue(p.resolved(), () -> sql + " -> " + p.problems());
        }
        Plan p = plan("select substring(name from 1) from customers");
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("name")) && u.kind() == UseKind.UNSUPPORTED
                && u.detail().equals("function substring()")), p.uses()::toString);
    }

    // ---------------------------------------------------------------- class 3: copies

    @ParameterizedTest
    @ValueSource(strings = {
            "insert into notes select id, ssn from customers",
            "insert into notes (id, val) select id, ssn from customers where email = ?",
            "insert into notes select * from customers",
            "insert into notes select id, upper(ssn) from customers",
            "insert into notes select id, x from (select id, ssn x from customers) s",
            "insert into notes select s.id, s.v from (select id, lower(ssn) v from customers) s",
            "with s as (select id, ssn from customers) insert into notes select id, ssn from s",
            "with s as (select id, substring(ssn from 1) v from customers) insert into notes select id, v from s",
            "insert into notes values (1, (select ssn from customers limit 1))",
            "insert into notes select id, (select ssn from customers c2 where c2.id = c.id) from customers c",
            "insert into notes select id, ssn from customers union select id, name from customers",
            "update notes set val = c.ssn from customers c where c.id = notes.id",
            "update notes set val = (select ssn from customers where id = ?)",
            "update notes set val = s.v from (select id, ssn v from customers) s where s.id = notes.id",
            "update customers set name = ssn where id = ?",
            "update customers set name = lower(ssn) where id = ?",
            "insert into customers (id, name) values (?, ?) on conflict (id) do update set name = customers.ssn",
            "insert into notes select c.id, c from customers c",
    })
    void aProtectedValueWrittenElsewhereIsCopied(String sql) {
        Plan p = plan(sql);
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("ssn")) && u.kind() == UseKind.COPIED)
                || !p.resolved(), () -> sql + " -> " + p.uses() + " problems " + p.problems());
    }

    @Test
    void anArrayElementWriteIsNotAValueWrite() {
        Plan p = plan("update customers set tags[1] = ? where id = ?");
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("tags")) && u.kind() == UseKind.UNSUPPORTED),
                p.uses()::toString);
        assertFalse(p.uses().stream().anyMatch(u -> u.column().equals(c("tags")) && u.kind() == UseKind.WRITE_VALUE),
                p.uses()::toString);
        Plan i = plan("insert into customers (id, tags[1]) values (?, ?)");
        assertTrue(!i.resolved() || i.uses().stream().anyMatch(u -> u.column().equals(c("tags"))
                && u.kind() == UseKind.UNSUPPORTED), i.uses()::toString);
    }

    @Test
    void filtersInsideWritesStayFilters() {
        Plan p = plan("insert into notes select id, name from customers where email = ? and ssn is not null");
        assertTrue(p.resolved(), p.problems()::toString);
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("email")) && u.kind() == UseKind.FILTER_EQUALITY));
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("ssn")) && u.kind() == UseKind.FILTER_NULL));
        assertFalse(p.uses().stream().anyMatch(u -> u.column().equals(c("email")) && u.kind() == UseKind.COPIED));
        Plan u = plan("update notes set val = ? where id in (select id from customers where email = ?)");
        assertTrue(u.resolved(), u.problems()::toString);
        assertFalse(u.uses().stream().anyMatch(x -> x.kind() == UseKind.COPIED && x.column().table().equals(CUSTOMERS)),
                u.uses()::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "select id, ssn into notes2 from customers",
            "with w as (insert into notes select id, ssn from customers returning id) select * from w",
    })
    void writesTheAnalysisCannotFollowAreProblems(String sql) {
        assertFalse(plan(sql).resolved(), sql);
    }

    // ---------------------------------------------------------------- class 10: spellings of ON CONFLICT

    @ParameterizedTest
    @ValueSource(strings = {
            "insert into customers (id, email) values (?, ?) on conflict (email) do nothing",
            "insert into customers (id, email) values (?, ?) on conflict on constraint customers_email_key do update set name = ?",
            "insert into customers (id, email) values (?, ?) on conflict on constraint \"customers_email_key\" do nothing",
            "insert into customers (id, email) values (?, ?) on conflict do nothing",
    })
    void everyConflictSpellingComparesTheArbiterColumns(String sql) {
        Plan p = plan(sql);
        assertTrue(p.resolved(), () -> sql + " " + p.problems());
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(c("email")) && u.kind() == UseKind.COMPARE_SAME_COLUMN),
                () -> sql + " -> " + p.uses());
    }

    @Test
    void anIndexExpressionTargetIsNotAPlainComparison() {
        Plan p = plan("insert into customers (id, email) values (?, ?) on conflict (lower(email)) do nothing");
        assertTrue(!p.resolved() || p.uses().stream().anyMatch(u -> u.column().equals(c("email"))
                && u.kind() == UseKind.UNSUPPORTED), () -> p.uses() + " " + p.problems());
        Plan q = plan("insert into customers (id, email) values (?, ?) on conflict ((lower(email))) do nothing");
        assertTrue(!q.resolved() || q.uses().stream().anyMatch(u -> u.column().equals(c("email"))
                && u.kind() == UseKind.UNSUPPORTED), () -> q.uses() + " " + q.problems());
    }

    @Test
    void conflictArbitersThatCannotBeResolvedAreProblems() {
        Plan unknown = plan("insert into customers (id) values (?) on conflict on constraint nope do nothing");
        assertFalse(unknown.resolved());
        Plan noTarget = plan("insert into customers (id) values (?) on conflict do nothing");
        assertTrue(noTarget.uses().stream().anyMatch(u -> u.column().equals(c("name")) && u.kind() == UseKind.UNSUPPORTED),
                noTarget.uses()::toString);
        Catalog blind = t -> TABLES.get(t.name());
        Plan unread = ANALYZER.analyze(SqlLexer.lex("insert into customers (id) values (?) on conflict do nothing"), blind);
        assertFalse(unread.resolved());
        assertEquals(true, ANALYZER.analyze(SqlLexer.lex("insert into customers (id) values (?) on conflict (id) do nothing"),
                blind).resolved());
    }

    // ---------------------------------------------------------------- CREATE FUNCTION ... BEGIN ATOMIC

    @Test
    void aBeginAtomicBodyStaysInItsCreateStatementWhichIsNotResolved() {
        Plan p = plan("CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT ssn FROM customers; END");
        assertFalse(p.resolved(), p::toString);
        assertEquals(1, SqlLexer.lex("CREATE FUNCTION f() RETURNS text LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END")
                .statementCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // CASE or END as a column label must not keep the body open past the server's END: the SELECT after it
            // runs at once, so it is analysed as a statement of its own
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 case; END; SELECT ssn FROM customers",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; END; SELECT ssn FROM customers",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT t.end FROM t; END; SELECT ssn FROM customers"})
    void whatFollowsABeginAtomicBodyIsAnalysedAsItsOwnStatement(String sql) {
        Plan p = plan(sql);
        assertTrue(p.outputs().stream().anyMatch(o -> c("ssn").equals(o.origin())), () -> sql + " -> " + p);
        assertFalse(p.resolved(), () -> sql + " -> " + p);
    }
}

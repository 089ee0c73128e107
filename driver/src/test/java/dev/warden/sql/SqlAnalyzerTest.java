package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SqlAnalyzerTest {

    private static final Map<String, List<String>> TABLES = Map.of(
            "customers", List.of("id", "name", "email", "card_number", "phone"),
            "orders", List.of("id", "customer_id", "email", "total"));
    private static final Catalog CATALOG =
            t -> t.schema() == null || t.schema().equals("public") ? TABLES.get(t.name()) : null;
    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer();

    private static final TableName CUSTOMERS = new TableName(null, "customers");
    private static final TableName ORDERS = new TableName(null, "orders");

    private static Plan plan(String sql) {
        return ANALYZER.analyze(SqlLexer.lex(sql), CATALOG);
    }

    private static ColumnRef c(String column) {
        return new ColumnRef(CUSTOMERS, column);
    }

    private static ColumnRef o(String column) {
        return new ColumnRef(ORDERS, column);
    }

    private static boolean has(Plan p, ColumnRef ref, UseKind kind) {
        return p.uses().stream().anyMatch(u -> u.column().equals(ref) && u.kind() == kind);
    }

    private static void assertUse(Plan p, ColumnRef ref, UseKind kind) {
        assertTrue(has(p, ref, kind), () -> "expected " + kind + " of " + ref + " in " + p.uses() + " problems " + p.problems());
    }

    private static void assertUse(Plan p, ColumnRef ref, UseKind kind, int slot) {
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(ref) && u.kind() == kind && u.slot() == slot),
                () -> "expected " + kind + " of " + ref + " slot " + slot + " in " + p.uses());
    }

    /** UNSUPPORTED, or a comparison with another column (which the engine allows only within a join group). */
    private static void assertUnsupported(Plan p, ColumnRef ref, String detailPart) {
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(ref)
                        && (u.kind() == UseKind.UNSUPPORTED || u.kind() == UseKind.COMPARE_OTHER_COLUMN)
                        && u.detail().contains(detailPart)),
                () -> "expected UNSUPPORTED '" + detailPart + "' of " + ref + " in " + p.uses() + " problems " + p.problems());
    }

    private static void assertProblem(Plan p, String part) {
        assertTrue(p.problems().stream().anyMatch(s -> s.contains(part)), () -> "expected problem '" + part + "' in " + p.problems());
    }

    private static void assertOrigins(Plan p, ColumnRef... origins) {
        assertEquals(java.util.Arrays.asList(origins), p.outputs().stream().map(OutputColumn::origin).toList(), () -> p.outputs().toString());
    }

    private static void assertClean(Plan p) {
        assertTrue(p.resolved(), () -> "unexpected problems " + p.problems());
    }

    // ------------------------------------------------------------ outputs

    @Test
    void starExpandsThroughTheCatalogInOrdinalOrder() {
        Plan p = plan("select * from customers");
        assertClean(p);
        assertEquals(StatementKind.SELECT, p.kind());
        assertEquals(Set.of(CUSTOMERS), p.tables());
        assertOrigins(p, c("id"), c("name"), c("email"), c("card_number"), c("phone"));
        assertUse(p, c("card_number"), UseKind.PROJECT);
        assertEquals(List.of("id", "name", "email", "card_number", "phone"), p.outputs().stream().map(OutputColumn::label).toList());
    }

    @Test
    void tableStarExpandsOnlyThatTable() {
        Plan p = plan("select o.*, c.email from customers c join orders o on o.customer_id = c.id");
        assertOrigins(p, o("id"), o("customer_id"), o("email"), o("total"), c("email"));
        assertUnsupported(p, o("customer_id"), "another column");
    }

    @Test
    void starOfAnUnknownTableIsAProblem() {
        assertProblem(plan("select * from mystery"), "cannot expand * of table mystery");
        assertProblem(plan("select * from customers, unnest(array[1, 2]) g"), "cannot expand * of function unnest()");
    }

    @Test
    void originsFollowAliasesQualifiersAndQuotes() {
        Plan p = plan("select c.email, public.customers.phone, \"name\" as \"Who\", card_number as cn "
                + "from public.customers, orders c2, customers c where c.id = c2.id");
        assertEquals(new ColumnRef(new TableName("public", "customers"), "phone"), p.outputs().get(1).origin());
        assertEquals(c("email"), p.outputs().get(0).origin());
        assertEquals("Who", p.outputs().get(2).label());
        Plan q = plan("select c.email as e, \"PHONE\" from customers c");
        assertEquals("e", q.outputs().get(0).label());
        assertEquals(c("email"), q.outputs().get(0).origin());
        assertProblem(q, "cannot resolve column PHONE");
    }

    @Test
    void originsFollowDerivedTablesCtesAndScalarSubqueries() {
        Plan p = plan("with x(a, b) as (select email, phone from customers) "
                + "select d.e, x.a, b, (select card_number from customers limit 1) as cn "
                + "from (select email as e from orders) d, x");
        assertClean(p);
        assertOrigins(p, o("email"), c("email"), c("phone"), c("card_number"));
        assertEquals(Set.of(CUSTOMERS, ORDERS), p.tables());
        assertFalse(p.tables().stream().anyMatch(t -> t.name().equals("x") || t.name().equals("d")));
        assertUse(p, c("phone"), UseKind.PROJECT);
    }

    @Test
    void unionKeepsAnOriginOnlyWhenEveryBranchAgrees() {
        Plan same = plan("select email from customers where id = ? union select email from customers where id = ?");
        assertOrigins(same, c("email"));
        assertFalse(has(same, c("email"), UseKind.UNSUPPORTED));
        Plan mixed = plan("select email, id from customers union all select email, id from orders");
        assertOrigins(mixed, null, null);
        assertUnsupported(mixed, c("email"), "UNION of different columns");
        assertUnsupported(mixed, o("email"), "UNION of different columns");
        // a set operation that removes duplicates compares each column with itself; UNION ALL does not
        assertTrue(has(same, c("email"), UseKind.COMPARE_SAME_COLUMN));
        Plan all = plan("select email from customers union all select email from customers");
        assertFalse(has(all, c("email"), UseKind.COMPARE_SAME_COLUMN));
        assertTrue(has(plan("select email from customers except all select email from customers"), c("email"),
                UseKind.COMPARE_SAME_COLUMN));
        Plan computed = plan("select email from customers intersect select lower(email) from customers");
        assertOrigins(computed, (ColumnRef) null);
        assertUnsupported(computed, c("email"), "function lower()");
    }

    @Test
    void computedOutputsHaveNoOriginAndTheirColumnsAreUnsupported() {
        Plan p = plan("select lower(email), case when phone is null then 1 end, email::text, id + 1, name || phone, "
                + "sum(id), row(email, phone), card_number -> 'k' from customers group by 1");
        for (OutputColumn out : p.outputs()) assertNull(out.origin(), out.label());
        assertUnsupported(p, c("email"), "function lower()");
        assertUnsupported(p, c("phone"), "IS NULL");
        assertUnsupported(p, c("email"), "cast");
        assertUnsupported(p, c("id"), "arithmetic");
        assertUnsupported(p, c("name"), "concatenation");
        assertUnsupported(p, c("id"), "aggregate sum()");
        assertUnsupported(p, c("phone"), "row");
        assertUnsupported(p, c("card_number"), "JSON");
        assertFalse(has(p, c("email"), UseKind.PROJECT));
    }

    @Test
    void countOfAColumnIsCountAndCountStarUsesNoColumn() {
        Plan p = plan("select count(email), count(distinct phone), count(*) from customers");
        assertClean(p);
        assertUse(p, c("email"), UseKind.COUNT);
        assertUse(p, c("phone"), UseKind.COUNT);
        assertEquals(2, p.uses().size());
        assertOrigins(p, null, null, null);
    }

    @Test
    void computedDerivedOutputStaysUnsupportedWhenProjectedOutside() {
        Plan p = plan("select l from (select lower(email) as l from customers) x");
        assertOrigins(p, (ColumnRef) null);
        assertUnsupported(p, c("email"), "function lower()");
        assertFalse(has(p, c("email"), UseKind.PROJECT));
    }

    @Test
    void wholeRowReferencesAreUnsupported() {
        for (String sql : List.of("select c from customers c", "select row_to_json(c) from customers c",
                "select row_to_json(c.*) from customers c")) {
            Plan p = plan(sql);
            assertUnsupported(p, c("card_number"), "whole-row");
            assertOrigins(p, (ColumnRef) null);
        }
    }

    @Test
    void distinctOfBareColumnsGroupsThemAndDistinctOnIsUnsupported() {
        Plan d = plan("select distinct email, s.p from customers, (select phone as p from customers) s");
        assertClean(d);
        assertUse(d, c("email"), UseKind.GROUP);
        assertUse(d, c("phone"), UseKind.GROUP);
        Plan computed = plan("select distinct lower(email) from customers");
        assertUnsupported(computed, c("email"), "function lower()");
        assertFalse(has(computed, c("email"), UseKind.GROUP));
        Plan on = plan("select distinct on (phone) email from customers");
        assertUnsupported(on, c("phone"), "DISTINCT ON");
    }

    @Test
    void groupByTheBareColumnByNameOrPositionGroupsItAndAnExpressionOfItIsUnsupported() {
        for (String sql : List.of("select email, count(*) from customers group by email",
                "select email, count(*) from customers group by 1",
                "select c.email, count(*) from customers c group by c.email",
                "select count(*) from (select email as e from customers) s group by s.e")) {
            Plan p = plan(sql);
            assertClean(p);
            assertUse(p, c("email"), UseKind.GROUP);
            assertFalse(has(p, c("email"), UseKind.UNSUPPORTED), () -> sql + " " + p.uses());
        }
        assertUnsupported(plan("select count(*) from customers group by lower(email)"), c("email"), "function lower()");
        assertUnsupported(plan("select count(*) from customers group by email || 'x'"), c("email"), "concatenation");
        assertUnsupported(plan("select count(*) from customers group by rollup (email)"), c("email"), "rollup");
        assertUnsupported(plan("select email from customers group by email order by email"), c("email"), "ORDER BY");
        assertUse(plan("select email from customers group by email having email = ?"), c("email"),
                UseKind.FILTER_EQUALITY, 0);
    }

    @Test
    void anyOfAnArrayOfValuesIsEqualityOnEachElement() {
        Plan p = plan("select id from customers where email = any (array[?, 'b@x']) and phone <> all (array[?])");
        assertClean(p);
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 0);
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 1);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 2);
        assertTrue(p.uses().stream().anyMatch(u -> u.slot() == 0 && u.detail().equals("= ANY")), p.uses()::toString);
        assertTrue(p.uses().stream().anyMatch(u -> u.slot() == 2 && u.detail().equals("<> ALL")), p.uses()::toString);
        assertUnsupported(plan("select id from customers where email = any (array[?, lower(?)])"), c("email"), "= ANY");
        // one array parameter: its elements are the compared values (the engine encrypts each when bound)
        Plan array = plan("select id from customers where email = any (?) and phone <> all (?)");
        assertClean(array);
        assertTrue(array.uses().stream().anyMatch(u -> u.slot() == 0 && u.kind() == UseKind.FILTER_EQUALITY
                && u.detail().equals("= ANY (?)")), array.uses()::toString);
        assertTrue(array.uses().stream().anyMatch(u -> u.slot() == 1 && u.kind() == UseKind.FILTER_EQUALITY
                && u.detail().equals("<> ALL (?)")), array.uses()::toString);
        assertUnsupported(plan("select id from customers where email <> any (?)"), c("email"), "compared with");
        assertUnsupported(plan("select id from customers where email = all (?)"), c("email"), "compared with");
        assertUnsupported(plan("select id from customers where email = any ('{a,b}')"), c("email"), "compared with");
        assertUnsupported(plan("select id from customers where email <> any (array[?])"), c("email"), "compared with");
        assertUnsupported(plan("select id from customers where email = all (array[?])"), c("email"), "compared with");
        assertUnsupported(plan("select id from customers where email = \"any\"(array[?])"), c("email"), "compared with");
    }

    // ------------------------------------------------------------ filters

    @Test
    void equalityFiltersNameTheirSlots() {
        Plan p = plan("select id from customers where email = ? and ? = phone and name <> 'x' and card_number != ? "
                + "and id in (1, ?, 3) and email not in (?)");
        assertClean(p);
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 0);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 1);
        assertUse(p, c("name"), UseKind.FILTER_EQUALITY, 2);
        assertUse(p, c("card_number"), UseKind.FILTER_EQUALITY, 3);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 4);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 5);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 6);
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 7);
        assertEquals(new Slot.Parameter(5), SqlLexer.lex("select id from customers where email = ? and ? = phone and name <> 'x' "
                + "and card_number != ? and id in (1, ?, 3) and email not in (?)").slots().get(7));
    }

    @Test
    void inListFollowedByAndOrIsReassociatedAsPostgresqlBindsIt() {
        Plan p = plan("select id from customers where name = ? and id in (?, ?) or phone not in (?) and email = ?");
        assertClean(p);
        assertUse(p, c("name"), UseKind.FILTER_EQUALITY, 0);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 1);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 2);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 3);
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 4);
        assertFalse(p.uses().stream().anyMatch(u -> u.kind() == UseKind.UNSUPPORTED));
    }

    @Test
    void typedLiteralComparedIsAnEqualityOnItsSlot() {
        Plan p = plan("select id from customers where phone = DATE '2020-01-01'");
        assertClean(p);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 0);
    }

    @Test
    void nullTestsAndEqualsNull() {
        Plan p = plan("select id from customers where email is null or phone is not null or name = null");
        assertUse(p, c("email"), UseKind.FILTER_NULL);
        assertUse(p, c("phone"), UseKind.FILTER_NULL);
        assertUnsupported(p, c("name"), "= NULL");
    }

    @Test
    void sameColumnComparisonsAndDifferentColumnComparisons() {
        Plan same = plan("select a.id from customers a join customers b on a.email = b.email");
        assertClean(same);
        assertEquals(2, same.uses().stream().filter(u -> u.kind() == UseKind.COMPARE_SAME_COLUMN).count());
        Plan different = plan("select c.id from customers c join orders o on o.email = c.email");
        assertUnsupported(different, c("email"), "another column");
        assertUnsupported(different, o("email"), "another column");
    }

    @Test
    void otherPredicatesAreUnsupported() {
        Plan p = plan("select id from customers where email like ? or phone ilike ? or name ~ ? or card_number similar to ? "
                + "or id < ? or id between ? and ? or lower(email) = ? or phone::text = ? or id + 1 = ?");
        assertUnsupported(p, c("email"), "LIKE");
        assertUnsupported(p, c("phone"), "ILIKE");
        assertUnsupported(p, c("name"), "regex");
        assertUnsupported(p, c("card_number"), "SIMILAR TO");
        assertUnsupported(p, c("id"), "comparison <");
        assertUnsupported(p, c("id"), "BETWEEN");
        assertUnsupported(p, c("email"), "function lower()");
        assertUnsupported(p, c("phone"), "cast");
        assertUnsupported(p, c("id"), "arithmetic");
        assertFalse(p.uses().stream().anyMatch(u -> u.kind() == UseKind.FILTER_EQUALITY));
    }

    @Test
    void filtersAreFoundInJoinsHavingAndSubqueries() {
        Plan p = plan("select c.id from customers c join orders o on o.customer_id = c.id and o.email = ? "
                + "where exists (select 1 from orders x where x.email = c.phone and x.total = ?) "
                + "group by c.id having count(*) > 0 and c.id = ?");
        assertUse(p, o("email"), UseKind.FILTER_EQUALITY, 0);
        assertUse(p, o("total"), UseKind.FILTER_EQUALITY, 2);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 4);
        assertUnsupported(p, c("phone"), "another column");
        assertUse(p, c("id"), UseKind.GROUP);
    }

    @Test
    void inSubqueryOfAnotherColumnIsUnsupportedOnBothSides() {
        Plan p = plan("select id from customers where email in (select email from orders where total = ?)");
        assertUnsupported(p, c("email"), "IN (subquery)");
        assertUnsupported(p, o("email"), "IN (subquery)");
        assertUse(p, o("total"), UseKind.FILTER_EQUALITY, 0);
    }

    @Test
    void equalityOfTwoDifferentColumnsNamesTheOtherOnEachSide() {
        for (String sql : List.of("select c.id from customers c join orders o on c.email = o.email",
                "select c.id from customers c join orders o using (email)",
                "select id from customers where email in (select email from orders)")) {
            Plan p = plan(sql);
            assertClean(p);
            assertTrue(p.uses().contains(new ColumnUse(c("email"), UseKind.COMPARE_OTHER_COLUMN, -1,
                    p.uses().stream().filter(u -> u.other() != null).findFirst().orElseThrow().detail(), o("email"))),
                    () -> sql + " " + p.uses());
            assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(o("email")) && c("email").equals(u.other())),
                    () -> sql + " " + p.uses());
        }
        Plan notEqual = plan("select c.id from customers c join orders o on c.email <> o.email");
        assertTrue(has(notEqual, c("email"), UseKind.UNSUPPORTED), notEqual.uses()::toString);
        Plan computed = plan("select c.id from customers c join orders o on c.email = lower(o.email)");
        assertTrue(has(computed, c("email"), UseKind.UNSUPPORTED), computed.uses()::toString);
    }

    @Test
    void inSubqueryOfTheSameColumnComparesItWithItself() {
        for (String sql : List.of("select id from customers where email in (select email from customers where id = ?)",
                "select id from customers where email not in (select c.email from customers c)",
                "select id from customers where email = any (select email from customers)",
                "select id from customers where email <> all (select email from customers)")) {
            Plan p = plan(sql);
            assertClean(p);
            assertUse(p, c("email"), UseKind.COMPARE_SAME_COLUMN);
            assertFalse(has(p, c("email"), UseKind.UNSUPPORTED), () -> sql + " " + p.uses());
        }
        assertUnsupported(plan("select id from customers where email in (select lower(email) from customers)"),
                c("email"), "IN (subquery)");
        assertUnsupported(plan("select id from customers where email in (select email, id from customers)"),
                c("email"), "IN (subquery)");
    }

    @Test
    void orderByNameAliasPositionAndExpressionAreUnsupported() {
        assertUnsupported(plan("select id from customers order by email"), c("email"), "ORDER BY");
        assertUnsupported(plan("select email as e from customers order by e"), c("email"), "ORDER BY");
        Plan position = plan("select id, phone from customers order by 2");
        assertUnsupported(position, c("phone"), "ORDER BY");
        assertFalse(has(position, c("id"), UseKind.UNSUPPORTED));
        assertUnsupported(plan("select id from customers order by lower(name)"), c("name"), "function lower()");
        assertUnsupported(plan("select email from customers union select email from customers order by 1"), c("email"), "ORDER BY");
    }

    @Test
    void windowFunctionsAreUnsupported() {
        Plan p = plan("select rank() over (partition by email order by phone) from customers");
        assertUnsupported(p, c("email"), "window function rank()");
        assertUnsupported(p, c("phone"), "window function rank()");
    }

    @Test
    void correlatedSubqueriesSeeOuterScopes() {
        Plan p = plan("select id from orders where exists (select 1 from customers where customers.id = orders.customer_id and phone = ?)");
        assertClean(p);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 1);
        assertUnsupported(p, o("customer_id"), "another column");
    }

    // ------------------------------------------------------------ resolution problems

    @Test
    void ambiguousOrUnplaceableColumnsAreProblems() {
        assertProblem(plan("select email from customers, orders"), "cannot resolve column email");
        assertProblem(plan("select x from customers, unnest(array[1, 2]) y"), "cannot resolve column x");
        assertProblem(plan("select phone from customers, unnest(array[1, 2]) g"), "cannot resolve column phone");
        assertProblem(plan("select nope from customers"), "cannot resolve column nope");
        assertProblem(plan("select c.nope from customers c"), "cannot resolve column c.nope");
        assertProblem(plan("select z.email from customers c"), "cannot resolve column z.email");
        // a qualified column of an unknown FROM item is placed there, never under a base table
        Plan g = plan("select g.x, phone from customers, lateral (select 1 as x) g");
        assertClean(g);
        assertOrigins(g, null, c("phone"));
    }

    @Test
    void naturalJoinAndUsingColumnsAreProblems() {
        assertProblem(plan("select email from customers natural join orders"), "NATURAL JOIN");
        Plan using = plan("select id from customers join orders using (id)");
        assertProblem(using, "JOIN USING");
        assertProblem(plan("select * from customers join orders using (id)"), "cannot expand *");
    }

    @Test
    void valuesInFromWithColumnNamesHaveNoOrigins() {
        Plan p = plan("select v.a, email from customers join (values (1, 2)) v(a, b) on v.a = customers.id");
        assertOrigins(p, null, c("email"));
    }

    // ------------------------------------------------------------ INSERT

    @Test
    void insertValuesWritesSlotsNullsAndRefusesServerComputedValues() {
        Plan p = plan("insert into customers (id, email, phone, name, card_number) values (?, 'a@b', null, default, lower(?)), "
                + "(?, ?, ?, now(), (select email from orders limit 1))");
        assertEquals(StatementKind.INSERT, p.kind());
        assertEquals(CUSTOMERS, p.writeTarget());
        assertUse(p, c("id"), UseKind.WRITE_VALUE, 0);
        assertUse(p, c("email"), UseKind.WRITE_VALUE, 1);
        assertUse(p, c("phone"), UseKind.WRITE_NULL);
        assertUnsupported(p, c("name"), "server-computed value (DEFAULT)");
        assertUnsupported(p, c("card_number"), "server-computed value (function lower())");
        assertUse(p, c("email"), UseKind.WRITE_VALUE, 4);
        assertUse(p, c("phone"), UseKind.WRITE_VALUE, 5);
        assertUnsupported(p, c("name"), "server-computed value (function now())");
        assertUnsupported(p, c("card_number"), "server-computed value (subquery)");
        assertTrue(p.outputs().isEmpty());
    }

    @Test
    void insertWithoutColumnListUsesCatalogOrder() {
        Plan p = plan("insert into customers values (?, ?, ?, ?, ?)");
        assertClean(p);
        assertUse(p, c("card_number"), UseKind.WRITE_VALUE, 3);
        assertProblem(plan("insert into mystery values (?)"), "cannot list the columns of mystery");
    }

    @Test
    void insertSelectIsUnsupportedForEveryTargetColumn() {
        Plan p = plan("insert into orders (customer_id, email) select id, email from customers where phone = ?");
        assertUnsupported(p, o("customer_id"), "INSERT ... SELECT");
        assertUnsupported(p, o("email"), "INSERT ... SELECT");
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 0);
        assertTrue(p.outputs().isEmpty());
        assertFalse(has(p, c("email"), UseKind.PROJECT));
    }

    @Test
    void onConflictTargetsExcludedWritesAndReturning() {
        Plan p = plan("insert into customers (id, email, phone) values (?, ?, ?) on conflict (email) do update "
                + "set email = excluded.email, phone = ?, name = excluded.phone, card_number = lower(excluded.card_number) "
                + "where customers.id = ? returning id, email");
        assertUse(p, c("email"), UseKind.COMPARE_SAME_COLUMN);
        assertFalse(has(p, c("email"), UseKind.FILTER_NULL));
        assertUse(p, c("email"), UseKind.WRITE_FROM_EXCLUDED);
        assertUse(p, c("phone"), UseKind.WRITE_VALUE, 3);
        assertUnsupported(p, c("name"), "SET name = expression");
        assertUse(p, c("card_number"), UseKind.COPIED);
        assertUse(p, c("phone"), UseKind.COPIED);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 4);
        assertOrigins(p, c("id"), c("email"));
        assertUse(p, c("email"), UseKind.PROJECT);
    }

    // ------------------------------------------------------------ UPDATE / DELETE

    @Test
    void updateSetsAndFilters() {
        Plan p = plan("update customers c set email = ?, phone = null, name = c.phone, card_number = upper(?), id = (select 1) "
                + "from orders o where o.customer_id = c.id and c.email = ? returning c.card_number");
        assertEquals(StatementKind.UPDATE, p.kind());
        assertEquals(CUSTOMERS, p.writeTarget());
        assertEquals(Set.of(CUSTOMERS, ORDERS), p.tables());
        assertUse(p, c("email"), UseKind.WRITE_VALUE, 0);
        assertUse(p, c("phone"), UseKind.WRITE_NULL);
        assertUnsupported(p, c("name"), "SET name = expression");
        assertUnsupported(p, c("card_number"), "SET card_number = expression");
        assertUnsupported(p, c("id"), "SET id = expression");
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 3);
        assertOrigins(p, c("card_number"));
    }

    @Test
    void deleteWithUsingAndReturning() {
        Plan p = plan("delete from orders o using customers c where o.customer_id = c.id and c.email = ? returning o.email");
        assertEquals(StatementKind.DELETE, p.kind());
        assertEquals(ORDERS, p.writeTarget());
        assertEquals(Set.of(CUSTOMERS, ORDERS), p.tables());
        assertUse(p, c("email"), UseKind.FILTER_EQUALITY, 0);
        assertOrigins(p, o("email"));
    }

    // ------------------------------------------------------------ kinds and multi-statements

    @Test
    void otherStatementKindsReportTablesAndAProblem() {
        Plan truncate = plan("truncate customers");
        assertEquals(StatementKind.TRUNCATE, truncate.kind());
        assertEquals(Set.of(CUSTOMERS), truncate.tables());
        assertProblem(truncate, "TRUNCATE is not supported");
        Plan ddl = plan("alter table customers add column z int");
        assertEquals(StatementKind.DDL, ddl.kind());
        assertEquals(Set.of(CUSTOMERS), ddl.tables());
        assertEquals(StatementKind.DDL, plan("drop table orders").kind());
        assertEquals(StatementKind.DDL, plan("create table x (a varchar(10))").kind());
        assertEquals(StatementKind.DDL, plan("grant select on customers to bob").kind());
        assertEquals(StatementKind.DDL, plan("comment on column customers.email is 'x'").kind());
        Plan copy = plan("copy customers (email) from stdin");
        assertEquals(StatementKind.COPY, copy.kind());
        assertEquals(Set.of(CUSTOMERS), copy.tables());
        assertEquals(Set.of(CUSTOMERS), plan("copy (select email from customers) to stdout").tables());
        Plan merge = plan("merge into customers c using orders o on c.id = o.customer_id when matched then update set email = o.email");
        assertEquals(StatementKind.MERGE, merge.kind());
        assertEquals(Set.of(CUSTOMERS, ORDERS), merge.tables());
        assertProblem(merge, "MERGE is not supported");
        for (String tx : List.of("begin", "commit", "rollback", "savepoint a", "start transaction", "release savepoint a")) {
            assertEquals(StatementKind.TRANSACTION, plan(tx).kind(), tx);
            assertClean(plan(tx));
        }
        for (String set : List.of("set search_path = x", "show search_path", "reset all")) {
            assertEquals(StatementKind.SET, plan(set).kind(), set);
        }
        for (String notification : List.of("listen customers", "unlisten customers", "notify customers",
                "notify jobs, 'customers.email changed'")) {
            assertEquals(StatementKind.OTHER, plan(notification).kind(), notification);
            assertClean(plan(notification));
            assertEquals(Set.of(), plan(notification).tables(), notification);
        }
        // any other shape is not waved through: e.g. text whose strings the server reads differently
        // (standard_conforming_strings off) shows up here as an extra literal
        for (String odd : List.of("notify jobs, 'a', 'b'", "notify jobs, 'a' 'b'", "listen a b", "unlisten",
                "notify a, '\\' , ' ; update customers set email = $$x$$ --'")) {
            assertFalse(SqlAnalyzer.isNotificationCommand(SqlLexer.lex(odd).normalized()), odd);
            assertFalse(plan(odd).resolved(), odd);
        }
        // maintenance is read as a schema change that moves no value (see SchemaChangeReaderTest)
        assertEquals(StatementKind.DDL, plan("vacuum customers").kind());
        assertEquals(Set.of(CUSTOMERS), plan("vacuum customers").tables());
        assertProblem(plan("do $$ begin delete from customers; end $$"), "DO is not supported");
    }

    @Test
    void multipleStatementsAreMerged() {
        Plan p = plan("begin; update customers set email = ? where id = ?; select phone from orders o join customers c on c.id = o.customer_id; commit");
        assertEquals(StatementKind.UPDATE, p.kind());
        assertEquals(CUSTOMERS, p.writeTarget());
        assertEquals(Set.of(CUSTOMERS, ORDERS), p.tables());
        assertUse(p, c("email"), UseKind.WRITE_VALUE, 0);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 1);
        assertTrue(p.outputs().isEmpty(), "outputs are the last statement's (COMMIT)");
        Plan q = plan("update orders set total = 1; select email from customers where phone = 'x'");
        assertOrigins(q, c("email"));
        assertUse(q, c("phone"), UseKind.FILTER_EQUALITY, 1);
        assertClean(q);
    }

    // ------------------------------------------------------------ parameters, robustness

    @Test
    void parametersMapToSlotsByTextPositionEvenWithoutParserTokens() {
        // ?::text and -? carry no AST token in JSqlParser; their running index must still land on the right slot
        Plan p = plan("with w as (select id from orders where total = ?) select\t(select ?::text), id\n"
                + "from customers where name = -? and phone = ? and email in (select email from orders where id = ?) "
                + "and id = 'é😀' and card_number = ?");
        assertClean(p);
        assertUse(p, o("total"), UseKind.FILTER_EQUALITY, 0);
        assertUse(p, c("phone"), UseKind.FILTER_EQUALITY, 3);
        assertUse(p, o("id"), UseKind.FILTER_EQUALITY, 4);
        assertUse(p, c("id"), UseKind.FILTER_EQUALITY, 5);
        assertUse(p, c("card_number"), UseKind.FILTER_EQUALITY, 6);
    }

    @Test
    void parseErrorsAreProblemsNotExceptions() {
        Plan p = plan("select from where (((");
        assertProblem(p, "cannot parse");
        assertEquals(StatementKind.SELECT, p.kind());
        assertProblem(plan("selec * from customers"), "cannot parse");
        assertTrue(plan("").resolved());
    }

    @Test
    void recursiveCtesAndDataModifyingCtesAreProblems() {
        assertProblem(plan("with recursive r(n) as (select 1 union all select n + 1 from r) select n from r"), "WITH RECURSIVE");
    }

    @Test
    void specialValueKeywordsAreNotColumns() {
        Plan p = plan("select current_user, current_date, true, email from customers where phone = ?");
        assertClean(p);
        assertOrigins(p, null, null, null, c("email"));
    }

    @Test
    void aggregateFilterIsAFilterAndCountStarUsesNoColumn() {
        Plan p = plan("select count(*) filter (where email = ?) from customers");
        assertClean(p);
        assertEquals(List.of(new ColumnUse(c("email"), UseKind.FILTER_EQUALITY, 0, "=")), p.uses());
    }

    @Test
    void dataModifyingCteIsAProblemThatStillNamesItsTable() {
        Plan p = plan("with d as (delete from customers where id = ? returning email) select email from d");
        assertProblem(p, "data-modifying WITH");
        assertEquals(Set.of(CUSTOMERS), p.tables());
    }

    @Property(tries = 200)
    void analyzerNeverThrows(@ForAll("sqlish") String sql) {
        Plan p = ANALYZER.analyze(SqlLexer.lex(sql), CATALOG);
        assertNotNull(p.kind());
    }

    @Provide
    Arbitrary<String> sqlish() {
        return Arbitraries.of("select ", "* ", "email ", "from ", "customers ", "orders ", "where ", "= ", "? ", "'x' ", "( ", ") ",
                ", ", "join ", "on ", "c.", "union ", "insert into ", "values ", "update ", "set ", "delete ", "; ", "with ",
                "as ", "order by ", "1 ", "lower(", "case ", "when ", "then ", "end ", "is null ", "in ", "not ", "and ", "or ")
                .list().ofMaxSize(20).map(parts -> String.join("", parts));
    }
}

package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Columns of Warden's own ({@link Catalog#internalColumns}, the companions of match columns) are not part of the
 * table the application sees: {@code *} and an INSERT without a column list leave them out, and the plan's
 * {@link Plan#edits} spell out the rest in the text sent, so that the server does the same.
 */
class InternalColumnsTest {

    private static final Map<String, List<String>> TABLES = Map.of(
            "customers", List.of("id", "name", "name_match", "email"),
            "orders", List.of("id", "customer_id", "total"));
    private static final Catalog CATALOG = new Catalog() {
        @Override
        public List<String> columns(TableName t) {
            return t.schema() == null || t.schema().equals("public") ? TABLES.get(t.name()) : null;
        }

        @Override
        public Set<String> internalColumns(TableName t) {
            return t.name().equals("customers") ? Set.of("name_match") : Set.of();
        }
    };
    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer();
    private static final TableName CUSTOMERS = new TableName(null, "customers");

    private static Plan plan(String sql) {
        return ANALYZER.analyze(SqlLexer.lex(sql), CATALOG);
    }

    /** The text sent once the plan's edits are applied, literals put back. */
    private static String sent(String sql) {
        LexedSql lexed = SqlLexer.lex(sql);
        Plan p = ANALYZER.analyze(lexed, CATALOG);
        assertTrue(p.resolved(), () -> "unexpected problems " + p.problems());
        return lexed.withEdits(p.edits()).render(null);
    }

    private static List<String> labels(Plan p) {
        return p.outputs().stream().map(OutputColumn::label).toList();
    }

    @Test
    void starLeavesInternalColumnsOutAndSpellsTheRestOut() {
        Plan p = plan("select * from customers where id = ?");
        assertEquals(List.of("id", "name", "email"), labels(p));
        assertTrue(p.uses().stream().noneMatch(u -> u.column().column().equals("name_match")), p.uses()::toString);
        assertEquals("select \"customers\".\"id\", \"customers\".\"name\", \"customers\".\"email\" from customers"
                + " where id = ?", sent("select * from customers where id = ?"));
    }

    @Test
    void qualifiedStarUsesTheAliasAndLiteralsKeepTheirPlace() {
        assertEquals("SELECT 'x', \"c\".\"id\", \"c\".\"name\", \"c\".\"email\", 2 FROM public.customers c"
                        + " WHERE c.email = 'a@b' LIMIT 5",
                sent("SELECT 'x', c.*, 2 FROM public.customers c WHERE c.email = 'a@b' LIMIT 5"));
    }

    @Test
    void starOverAJoinSpellsOutOnlyTheTableWithInternalColumns() {
        Plan p = plan("select * from customers c join orders o on o.customer_id = c.id");
        assertEquals(List.of("id", "name", "email", "id", "customer_id", "total"), labels(p));
        assertEquals("select \"c\".\"id\", \"c\".\"name\", \"c\".\"email\", \"o\".* from customers c join orders o"
                + " on o.customer_id = c.id", sent("select * from customers c join orders o on o.customer_id = c.id"));
    }

    @Test
    void columnsRenamedByAnAliasAreSpelledOutUnderTheirNewNames() {
        Plan p = plan("select * from customers as c (k, n)");
        assertEquals(List.of("k", "n", "email"), labels(p));
        assertEquals("select \"c\".\"k\", \"c\".\"n\", \"c\".\"email\" from customers as c (k, n)",
                sent("select * from customers as c (k, n)"));
    }

    @Test
    void aStarOverASubqueryOfTheTableIsLeftAsWritten() {
        assertEquals("select * from (select \"customers\".\"id\", \"customers\".\"name\", \"customers\".\"email\""
                + " from customers) s", sent("select * from (select * from customers) s"));
        assertEquals(List.of("id", "name", "email"), labels(plan("select * from (select * from customers) s")));
        // in EXISTS no value leaves: nothing to spell out
        assertEquals("select id from orders where exists (select * from customers)",
                sent("select id from orders where exists (select * from customers)"));
    }

    @Test
    void tablesWithoutInternalColumnsAreSentAsWritten() {
        assertTrue(plan("select * from orders").edits().isEmpty());
        assertTrue(plan("select o.* from customers c join orders o on o.customer_id = c.id").edits().isEmpty());
    }

    @Test
    void returningStarLeavesInternalColumnsOut() {
        Plan p = plan("update customers set email = ? where id = ? returning *");
        assertEquals(List.of("id", "name", "email"), labels(p));
        assertEquals("update customers set email = ? where id = ? returning \"customers\".\"id\", \"customers\".\"name\","
                + " \"customers\".\"email\"", sent("update customers set email = ? where id = ? returning *"));
    }

    @Test
    void insertWithoutColumnListNamesTheColumnsTheApplicationKnows() {
        Plan p = plan("insert into customers values (?, ?, ?)");
        assertTrue(p.resolved(), p.problems()::toString);
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(new ColumnRef(CUSTOMERS, "email"))
                && u.kind() == UseKind.WRITE_VALUE && u.slot() == 2), p.uses()::toString);
        assertEquals("insert into customers (\"id\", \"name\", \"email\") values (?, ?, ?)",
                sent("insert into customers values (?, ?, ?)"));
        assertEquals("INSERT INTO customers AS c (\"id\", \"name\", \"email\") VALUES (1, 'a', 'b'), (2, 'c', 'd')"
                        + " RETURNING \"c\".\"id\", \"c\".\"name\", \"c\".\"email\"",
                sent("INSERT INTO customers AS c VALUES (1, 'a', 'b'), (2, 'c', 'd') RETURNING *"));
        assertEquals("insert into customers (\"id\", \"name\", \"email\") select id, 'n', 'e' from orders",
                sent("insert into customers select id, 'n', 'e' from orders"));
        // as many values as the table has columns, counting the internal one: a problem, as any count mismatch
        assertTrue(plan("insert into customers values (?, ?, ?, ?)").problems().stream()
                .anyMatch(s -> s.contains("VALUES row has 4 items for 3 columns")));
        assertTrue(plan("insert into customers default values").edits().isEmpty());
    }

    @Test
    void editsNeverCoverASlot() {
        LexedSql lexed = SqlLexer.lex("select ? from customers");
        assertThrows(IllegalArgumentException.class, () -> lexed.withEdits(List.of(new TextEdit(5, 9, "x"))));
    }
}

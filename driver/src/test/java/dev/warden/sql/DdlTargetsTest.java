package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class DdlTargetsTest {

    private static List<TableName> targets(String sql) {
        return DdlTargets.of(SqlLexer.lex(sql).normalized());
    }

    @Test
    void createTableTargetsOnlyTheNewTableNotTheTablesItReferences() {
        assertEquals(List.of(new TableName(null, "loyalty")), targets(
                "CREATE TABLE loyalty (customer_id int NOT NULL REFERENCES customers (id), points int DEFAULT 0)"));
        assertEquals(List.of(new TableName("app", "Notes")), targets("create table if not exists app.\"Notes\" (id int)"));
        assertEquals(List.of(new TableName(null, "t")), targets(
                "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text CHECK (c LIKE 'x%'))"));
    }

    @Test
    void createTableThatReadsOrAttachesToAnotherTableIsNotRecognised() {
        assertNull(targets("CREATE TABLE copy AS SELECT email FROM customers"));
        assertNull(targets("CREATE TABLE child (x int) INHERITS (customers)"));
        assertNull(targets("CREATE TABLE part PARTITION OF customers FOR VALUES IN ('hk')"));
        assertNull(targets("CREATE OR REPLACE VIEW v AS SELECT email FROM customers"));
        assertNull(targets("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql"));
    }

    @Test
    void indexesAlterAndDropTargetTheirTables() {
        assertEquals(List.of(new TableName(null, "customers")), targets("CREATE UNIQUE INDEX CONCURRENTLY i ON ONLY customers (email)"));
        assertEquals(List.of(new TableName("public", "orders")), targets("ALTER TABLE IF EXISTS ONLY public.orders ADD COLUMN note text DEFAULT 'n/a'"));
        assertEquals(List.of(new TableName(null, "a"), new TableName("s", "b")), targets("DROP TABLE IF EXISTS a, s.b CASCADE"));
        assertNull(targets("DROP TABLE a; SELECT 1"));
        assertNull(targets("COMMENT ON TABLE customers IS 'x'"));
    }

    @Test
    void commentsNestAsPostgreSqlNestsThem() {
        // PostgreSQL reads "DROP TABLE a": the inner */ does not end the outer comment
        assertEquals(List.of(new TableName(null, "a")), targets("DROP TABLE a /* x /* y */ , customers */"));
        assertEquals(List.of(new TableName(null, "t")), targets("/* /* */ DROP TABLE customers */ CREATE TABLE t (id int)"));
        assertNull(targets("DROP TABLE a /* never closed"));
    }
}

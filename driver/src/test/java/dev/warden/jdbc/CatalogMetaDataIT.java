package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import dev.warden.testkit.MetaDataRows;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schema tools (DBeaver, IntelliJ) through {@code jdbc:warden:}: pgjdbc's DatabaseMetaData on a protected table
 * answers as a direct connection does, and psql-style catalog queries naming the table in a regular expression run.
 */
class CatalogMetaDataIT {

    static CustomersExample example;

    @BeforeAll
    static void start() throws Exception {
        example = CustomersExample.create();
        try (Connection raw = example.raw(); Statement s = raw.createStatement()) {
            s.execute("create index customers_name_idx on customers(name)");
        }
    }

    @Test
    void databaseMetaDataOnAProtectedTableAnswersAsADirectConnection() throws Exception {
        try (Connection direct = example.raw()) {
            var expected = MetaDataRows.all(direct.getMetaData(), "customers");
            for (String role : new String[] {"support", "analyst"}) {
                try (Connection warden = example.as(role, "support".equals(role) ? "customer-service" : null)) {
                    assertEquals(expected, MetaDataRows.all(warden.getMetaData(), "customers"), role);
                }
            }
        }
    }

    @Test
    void psqlDescribeQueryRunsThroughTheEngine() throws Exception {
        String sql = """
                SELECT c.oid, n.nspname, c.relname
                FROM pg_catalog.pg_class c
                     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname OPERATOR(pg_catalog.~) '^(customers)$' COLLATE pg_catalog.default
                  AND pg_catalog.pg_table_is_visible(c.oid)
                ORDER BY 2, 3""";
        String columns = """
                SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
                  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
                   FROM pg_catalog.pg_attrdef d
                   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
                  a.attnotnull
                FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = (SELECT oid FROM pg_catalog.pg_class WHERE relname = 'customers')
                  AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY a.attnum""";
        try (Connection direct = example.raw(); Connection warden = example.as("analyst");
             Statement d = direct.createStatement(); Statement w = warden.createStatement()) {
            for (String q : new String[] {sql, columns}) {
                String expected = MetaDataRows.rows(d.executeQuery(q));
                assertTrue(expected.contains("customers") || expected.contains("email"), expected);
                assertEquals(expected, MetaDataRows.rows(w.executeQuery(q)));
            }
        }
    }
}

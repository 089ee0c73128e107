package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.sql.LexedSql;
import dev.warden.sql.SqlLexer;
import org.junit.jupiter.api.Test;

/** Spellings of a refused built-in: each is sent to analysis by the fast path and refused, naming it. */
class RefusedBuiltinsTest {

    private static String refusal(String sql) {
        LexedSql lexed = SqlLexer.lex(sql);
        assertTrue(RefusedBuiltins.mentionedIn(lexed), "the fast path must send it to analysis: " + sql);
        return RefusedBuiltins.refusalInStatement(lexed, true);
    }

    @Test
    void everySpellingIsRefused() {
        for (String sql : new String[] {
                "SELECT query_to_xml('select 1', true, false, '')",
                "SELECT pg_catalog.query_to_xml('select 1', true, false, '')",
                "SELECT pg_catalog . /* x */ query_to_xml('select 1', true, false, '')",
                "SELECT \"query_to_xml\"('select 1', true, false, '')",
                "SELECT QUERY_TO_XML('select 1', true, false, '')",
                "SELECT U&\"query\\005fto\\005fxml\"('select 1', true, false, '')",
                "SELECT * FROM (SELECT query_to_xml(?, true, false, '')) x",
                "PREPARE p AS SELECT query_to_xml($1, true, false, '')",
                "EXPLAIN ANALYZE SELECT query_to_xml('select 1', true, false, '')"}) {
            String refusal = refusal(sql);
            assertNotNull(refusal, sql);
            assertTrue(refusal.contains("query_to_xml") || refusal.contains("U&"), refusal);
        }
        assertTrue(refusal("SELECT * FROM dblink_get_connections()").contains("dblink_get_connections"));
        assertTrue(refusal("SELECT * FROM \"pg_stats\"").contains("pg_stats"));
    }

    @Test
    void aNameInsideAStringIsNotACall() {
        assertNull(RefusedBuiltins.refusalInStatement(SqlLexer.lex("SELECT 'query_to_xml' AS word"), true));
        assertFalse(RefusedBuiltins.mentionedIn(SqlLexer.lex("SELECT name FROM orders")));
    }
}

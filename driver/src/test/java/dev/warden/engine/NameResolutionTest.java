package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.sql.SqlLexer;
import org.junit.jupiter.api.Test;

/** Which statements make a session read what its table names resolve to again (see {@link NameResolution}). */
class NameResolutionTest {

    private static NameResolution.Effect effect(String sql) {
        return NameResolution.effectOf(SqlLexer.lex(sql));
    }

    @Test
    void statementsThatMayChangeWhatANameMeansAreSeen() {
        for (String sql : new String[] {
                "CREATE TEMP TABLE customers (id int)", "create temporary view v as select 1",
                "CREATE GLOBAL TEMPORARY TABLE t (x int)", "SELECT * INTO TEMP t FROM orders",
                "CREATE TABLE pg_temp.customers (id int)", "SET search_path = shadow, public",
                "SET LOCAL search_path TO shadow", "set session search_path to default",
                "SELECT set_config('search_path', 'shadow', false)", "SELECT set_config($1, $2, false)",
                "RESET search_path", "RESET ALL", "DISCARD ALL", "discard temp", "SET ROLE analyst",
                "set local role none", "RESET ROLE", "SET SESSION AUTHORIZATION bob",
                "ALTER ROLE current_user SET search_path = x"}) {
            assertEquals(NameResolution.Effect.CHANGES_NAMES, effect(sql), sql);
        }
    }

    @Test
    void theEndOfATransactionIsSeenButCaseEndIsNot() {
        for (String sql : new String[] {"COMMIT", "rollback", "ROLLBACK TO SAVEPOINT a", "END", "abort",
                "COMMIT PREPARED 'x'", "end transaction"}) {
            assertEquals(NameResolution.Effect.ENDS_TRANSACTION, effect(sql), sql);
        }
        for (String sql : new String[] {"SELECT CASE WHEN x THEN 1 END FROM t", "SELECT role FROM users",
                "SELECT name, email FROM customers WHERE id = ?", "UPDATE t SET a = 1", "BEGIN"}) {
            assertEquals(NameResolution.Effect.NONE, effect(sql), sql);
        }
    }
}

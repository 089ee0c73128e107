package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.sql.SqlLexer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link GuardedStatement#catalogEffect()}, remembered per guard since it is asked at every execution: the same
 * answer the audit record worked out from the text each time before (DDL keyword or compiled schema change,
 * then COMMIT / END), on the first call and on every later one.
 */
class GuardedStatementCatalogEffectTest {

    private static GuardedStatement uncompiled(String sql) {
        return new GuardedStatement(SqlLexer.lex(sql), null, sql, null, GuardedStatement.Local.NONE, null, null, null);
    }

    private static GuardedStatement compiled(String sql, boolean changesSchema) {
        CompiledStatement c = new CompiledStatement(null, null, null, null, "OTHER", List.of(), Map.of(), List.of(),
                List.of(), changesSchema, false, null);
        return new GuardedStatement(SqlLexer.lex(sql), c, sql, null, GuardedStatement.Local.NONE, null, null, null);
    }

    private static int twice(GuardedStatement g) {
        int first = g.catalogEffect();
        assertEquals(first, g.catalogEffect(), "a remembered effect must not change");
        return first;
    }

    @Test
    void aTextNotCompiledIsReadForItsFirstKeyword() {
        for (String ddl : List.of("ALTER TABLE t ADD c int", "  create table t (a int)", "\n\tDrop TABLE t",
                "rename x")) {
            assertEquals(GuardedStatement.CHANGES_SCHEMA, twice(uncompiled(ddl)), ddl);
        }
        for (String end : List.of("COMMIT", "  commit", "END", "end transaction")) {
            assertEquals(GuardedStatement.ENDS_TRANSACTION, twice(uncompiled(end)), end);
        }
        for (String other : List.of("SELECT 1", "rollback", "INSERT INTO t VALUES (1)", "")) {
            assertEquals(GuardedStatement.NO_CATALOG_EFFECT, twice(uncompiled(other)), other);
        }
    }

    @Test
    void aCompiledStatementSaysWhetherItChangesTheSchema() {
        assertEquals(GuardedStatement.CHANGES_SCHEMA, twice(compiled("ALTER TABLE customers ADD c int", true)));
        // compiled as no schema change: the text's first word is not consulted for DDL, only for COMMIT / END
        assertEquals(GuardedStatement.NO_CATALOG_EFFECT, twice(compiled("SELECT * FROM customers", false)));
        assertEquals(GuardedStatement.ENDS_TRANSACTION, twice(compiled("COMMIT", false)));
    }
}

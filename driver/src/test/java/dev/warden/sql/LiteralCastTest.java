package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Where a literal's cast is read from the normalised text, and which shapes are not a plain cast to one type. */
class LiteralCastTest {

    private static LiteralCast cast(String sql) {
        return LiteralCast.of(SqlLexer.lex(sql), 0);
    }

    @Test
    void readsBothSpellingsAndTheTypedLiteral() {
        LexedSql l = SqlLexer.lex("select 1 where a = '2024-01-01' :: Date and b = 2");
        LiteralCast c = LiteralCast.of(l, 1);
        assertEquals("date", c.type());
        assertEquals("? :: Date", l.normalized().substring(c.start(), c.end()));
        assertEquals("numeric", cast("values (cast ('1.50' as numeric))").type());
        assertEquals("date", cast("values (DATE '2024-01-01')").type());
        String[] replaced = {"'X'"};
        assertEquals("values (x, 'X')", SqlLexer.lex("values (x, CAST('1' AS int))").render(replaced));
        assertEquals("values (x, CAST('1' AS int))", SqlLexer.lex("values (x, CAST('1' AS int))").render(null));
    }

    @Test
    void modifiersArraysQualifiedNamesAndChainedCastsAreNotAPlainCast() {
        for (String sql : new String[] {"values ('1'::numeric(10,2))", "values ('1'::int[])", "values ('1'::pg_catalog.int4)",
                "values ('1'::numeric::int)", "values (cast('1' as numeric(3)))", "values ('1')", "values (recast('1' as int))",
                "values (TIMESTAMP WITH TIME ZONE '2024-01-01')", "values (?::int)"}) {
            assertNull(cast(sql), sql);
        }
    }
}

package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class SqlLexerTest {

    private static Slot.Literal literal(LexedSql l, int i) {
        return (Slot.Literal) l.slots().get(i);
    }

    @Test
    void plainStringWithDoubledQuoteIsOneSlotWithDecodedValue() {
        LexedSql l = SqlLexer.lex("select * from t where a = 'it''s'");
        assertEquals("select * from t where a = ?", l.normalized());
        assertEquals(new Slot.Literal("'it''s'", "it's", false), l.slots().get(0));
        assertEquals(26, l.slotOffsets()[0]);
    }

    @Test
    void escapeStringDecodesBackslashEscapes() {
        LexedSql l = SqlLexer.lex("select E'a\\\\b\\'c\\n\\t\\r\\b\\f\\101\\x42''d'");
        assertEquals("select ?", l.normalized());
        assertEquals("a\\b'c\n\t\r\b\fAB'd", literal(l, 0).value());
        assertEquals("E'a\\\\b\\'c\\n\\t\\r\\b\\f\\101\\x42''d'", literal(l, 0).sourceText());
    }

    @Test
    void undecodableStringsHaveNullValue() {
        LexedSql l = SqlLexer.lex("select e'\\u00e9', U&'d\\0061t', B'0101', X'1F', e'\\xe9'");
        assertEquals("select ?, ?, ?, ?, ?", l.normalized());
        for (int i = 0; i < 5; i++) assertNull(literal(l, i).value(), "slot " + i);
        assertEquals("U&'d\\0061t'", literal(l, 1).sourceText());
    }

    @Test
    void dollarQuotesKeepTheirContents() {
        LexedSql l = SqlLexer.lex("select $$a 'b' ?$$, $fn$x$$y$fn$, $1");
        assertEquals("select ?, ?, $1", l.normalized());
        assertEquals("a 'b' ?", literal(l, 0).value());
        assertEquals("x$$y", literal(l, 1).value());
        assertEquals(2, l.slots().size());
    }

    @Test
    void numbersAreLiteralsWithTheirSignWhereTheServerReadsASign() {
        LexedSql l = SqlLexer.lex("select 42, -7, 3.14, .5, 1e10, 2.5E-3, 1_000, 0x1F, - 8 from t");
        assertEquals("select ?, ?, ?, ?, ?, ?, ?, ?, ? from t", l.normalized());
        assertEquals(List.of("42", "-7", "3.14", ".5", "1e10", "2.5E-3", "1000", "0x1F", "-8"),
                l.slots().stream().map(s -> ((Slot.Literal) s).value()).toList());
        assertEquals("-7", literal(l, 1).sourceText());
        assertEquals("- 8", literal(l, 8).sourceText());
        assertTrue(literal(l, 0).numeric() && literal(l, 1).numeric());
        assertEquals("select ?, ?, ?, ?, ?, ?, ?, ?, ? from t", SqlLexer.lex("select 42, -7, 3.14, .5, 1e10, 2.5E-3,"
                + " 1_000, 0x1F, - 8 from t").normalized());
        assertEquals("select 42, -7, 3.14, .5, 1e10, 2.5E-3, 1_000, 0x1F, - 8 from t", l.render(null));
    }

    @Test
    void aMinusAfterAnOperandOrInsideAnOperatorOrBeforeACastIsAnOperator() {
        for (String[] c : new String[][] {
                {"select a -5, a-5, (b)-5, 'x'-5, ?-5 from t", "select a -?, a-?, (b)-?, ?-?, ?-? from t"},
                {"select a @-5, a |-5, a !=-5, a ~- 5 from t", "select a @-?, a |-?, a !=-?, a ~- ? from t"},
                {"select -5::int, - 5 :: text from t", "select -?::int, - ? :: text from t"},
                {"select - /* c */ 5 from t", "select - /* c */ ? from t"}}) {
            assertEquals(c[1], SqlLexer.lex(c[0]).normalized(), c[0]);
        }
        for (String[] c : new String[][] {
                {"select a from t where x = -5 and y <> -6 and z in (-1, -2) and w < -3 and -4 < v",
                        "select a from t where x = ? and y <> ? and z in (?, ?) and w < ? and ? < v"},
                {"insert into t values (-42.125, -1e3)", "insert into t values (?, ?)"},
                {"select a from t where x =-5 or not -5 = x limit -1", "select a from t where x =? or not ? = x limit ?"},
                {"select a from t where x = - -5", "select a from t where x = - ?"}}) {
            LexedSql l = SqlLexer.lex(c[0]);
            assertEquals(c[1], l.normalized(), c[0]);
            assertTrue(l.slots().stream().allMatch(s -> ((Slot.Literal) s).value().startsWith("-")), c[0]);
            assertEquals(c[0], l.render(null));
        }
    }

    @Test
    void parametersCountOnlyTheApplicationsQuestionMarks() {
        LexedSql l = SqlLexer.lex("select '?', \"a?\" /* ? */ from t -- ?\n where a = ? and b = 'x' and c = ?");
        assertEquals(4, l.slots().size());
        assertTrue(l.slots().get(0) instanceof Slot.Literal);
        assertEquals(new Slot.Parameter(1), l.slots().get(1));
        assertTrue(l.slots().get(2) instanceof Slot.Literal);
        assertEquals(new Slot.Parameter(2), l.slots().get(3));
        for (int i = 0; i < 4; i++) assertEquals('?', l.normalized().charAt(l.slotOffsets()[i]));
    }

    @Test
    void doubledQuestionMarkIsAnOperatorNotAParameter() {
        LexedSql l = SqlLexer.lex("select a ?? 'k' from t where b = ?");
        assertEquals(new Slot.Parameter(1), l.slots().get(1));
        assertEquals("select a ?? ? from t where b = ?", l.normalized());
    }

    @Test
    void castOperatorStaysOutsideTheSlot() {
        LexedSql l = SqlLexer.lex("select '2020-01-01'::date");
        assertEquals("select ?::date", l.normalized());
        assertEquals("2020-01-01", literal(l, 0).value());
    }

    @Test
    void typedLiteralsBecomeCastsAndRenderBackExactly() {
        String sql = "select DATE '2020-01-01', timestamp  '2020-01-01 10:00', Time '10:00', "
                + "TIMESTAMP WITH TIME ZONE '2020-01-01 00:00+00', INTERVAL '1 day', x AT TIME ZONE 'UTC' from t";
        LexedSql l = SqlLexer.lex(sql);
        assertEquals("select CAST(? AS DATE), CAST(? AS TIMESTAMP), CAST(? AS TIME), "
                + "CAST(? AS TIMESTAMP WITH TIME ZONE), INTERVAL ?, x AT TIME ZONE ? from t", l.normalized());
        assertEquals("DATE '2020-01-01'", literal(l, 0).sourceText());
        assertEquals("2020-01-01", literal(l, 0).value());
        assertEquals("TIMESTAMP WITH TIME ZONE '2020-01-01 00:00+00'", literal(l, 3).sourceText());
        assertTrue(l.isTypedLiteral(0));
        assertFalse(l.isTypedLiteral(4));
        assertEquals(sql, l.render(null));
        assertEquals("select DATE '2021-02-02', X, X, X, INTERVAL X, x AT TIME ZONE X from t",
                l.render(new String[] {"DATE '2021-02-02'", "X", "X", "X", "X", "X"}));
    }

    @Test
    void orderByPositionsAndTypeModifiersStayInTheText() {
        LexedSql l = SqlLexer.lex("select a::varchar(10), cast(b as numeric(10, 2)) from t group by 1, 2 order by 2 desc, 1 limit 5");
        assertEquals("select a::varchar(10), cast(b as numeric(10, 2)) from t group by 1, 2 order by 2 desc, 1 limit ?",
                l.normalized());
        assertEquals(1, l.slots().size());
    }

    @Test
    void renderPutsLiteralsBackOrReplacesThem() {
        String sql = "insert into t(a, b, c) values ('x''y', ?, 12) -- done";
        LexedSql l = SqlLexer.lex(sql);
        assertEquals(sql, l.render(null));
        assertEquals(sql, l.render(new String[3]));
        assertEquals("insert into t(a, b, c) values ('\\xAB', ?, 12) -- done", l.render(new String[] {"'\\xAB'", null, null}));
    }

    @Test
    void aLineCommentEndsAtACarriageReturnOrALineFeed() {
        // as PostgreSQL's scanner and pgjdbc's parser read it: the UPDATE after a lone \r is a statement
        LexedSql l = SqlLexer.lex("select 1 --x\rupdate customers set email = 'a@b.c'");
        assertEquals("select ? --x\rupdate customers set email = ?", l.normalized());
        assertEquals(2, l.slots().size());
        assertEquals(12, SqlLexer.lineCommentEnd("select 1 --x\r\nmore", 9));
        assertEquals(12, SqlLexer.lineCommentEnd("select 1 --x\nmore", 9));
        assertEquals(12, SqlLexer.lineCommentEnd("select 1 --x", 9));
    }

    @Test
    void aBackslashInAPlainStringIsFlaggedForTheEngineToCheck() {
        assertTrue(SqlLexer.lex("select 'a\\b' from t").backslashInPlainString());
        assertTrue(SqlLexer.lex("select N'a\\' from t").backslashInPlainString());
        assertFalse(SqlLexer.lex("select E'a\\'b' from t").backslashInPlainString(), "E'' strings always escape");
        assertFalse(SqlLexer.lex("select $$a\\b$$, 'ab' from t").backslashInPlainString());
        assertFalse(SqlLexer.lex("select a from t where b = ?").backslashInPlainString());
    }

    @Test
    void fingerprintIgnoresLiteralValuesAndHoldsNone() {
        LexedSql a = SqlLexer.lex("select * from customers where email = 'alice@example.com' and id = 17");
        LexedSql b = SqlLexer.lex("select * from customers where email = 'bob@example.org' and id = 99");
        assertEquals(a.normalized(), b.normalized());
        assertFalse(a.normalized().contains("alice"));
        assertFalse(a.normalized().contains("17"));
        assertFalse(a.toString().contains("alice"));
        assertFalse(a.slots().toString().contains("alice"));
    }

    @Test
    void commentsAreKeptNestedCommentsSkipped() {
        LexedSql l = SqlLexer.lex("select /* a /* nested 'x' */ still */ 1 -- 'y'\n");
        assertEquals("select /* a /* nested 'x' */ still */ ? -- 'y'\n", l.normalized());
        assertEquals(1, l.slots().size());
    }

    @Test
    void wordsHoldIdentifiersKeywordsAndWordsInsideLiterals() {
        LexedSql l = SqlLexer.lex("SELECT \"MixedCase\" FROM Public.Orders WHERE x = 'see customers' ; "
                + "DO $$ BEGIN DELETE FROM card_vault; END $$");
        assertTrue(l.words().containsAll(Set.of("select", "mixedcase", "public", "orders", "customers", "card_vault", "do")));
        assertTrue(l.mentionsAny(Set.of("customers")));
        assertTrue(l.mentionsAny(Set.of("nope", "card_vault")));
        assertFalse(l.mentionsAny(Set.of("payments")));
        assertTrue(SqlLexer.lex("EXECUTE 'select * from customers'").mentionsAny(Set.of("customers")));
    }

    @Test
    void unicodeEscapedIdentifierIsDecodedForWords() {
        assertTrue(SqlLexer.lex("select * from U&\"cust\\006Fmers\"").mentionsAny(Set.of("customers")));
        // an identifier it cannot decode could name any table
        assertTrue(SqlLexer.lex("select * from U&\"cust\\zzmers\"").mentionsAny(Set.of("customers")));
    }

    /**
     * Red team, session 7: UESCAPE picks another escape character, so {@code U&"!0063ustomers" UESCAPE '!'} is
     * customers to the server while the lexer, decoding with the backslash, read "!0063ustomers" and let the
     * statement through unanalysed. A U& name or string followed by UESCAPE may be any name.
     */
    @Test
    void unicodeEscapesWithUescapeMayNameAnyTable() {
        for (String sql : List.of("select hkid from U&\"!0063ustomers\" UESCAPE '!'",
                "select hkid from U&\"!0063ustomers\" /* c */ uescape\n'!'",
                "select * from query_to_xml(U&'select hkid from !0063ustomers' UESCAPE '!', true, false, '')")) {
            LexedSql lexed = SqlLexer.lex(sql);
            assertTrue(lexed.mentionsAny(Set.of("customers")), sql);
            assertTrue(lexed.hasUndecodableName(), sql);
        }
        // a column that happens to be called uescape is only a word
        assertFalse(SqlLexer.lex("select uescape from notes").hasUndecodableName());
        assertFalse(SqlLexer.lex("select U&\"d\\0061ta\", uescape from notes").hasUndecodableName());
    }

    @Test
    void statementCountCountsNonEmptyStatements() {
        assertEquals(0, SqlLexer.lex("").statementCount());
        assertEquals(0, SqlLexer.lex(" ; -- nothing\n;").statementCount());
        assertEquals(1, SqlLexer.lex("select 1;").statementCount());
        assertEquals(3, SqlLexer.lex("begin; update t set a = ';'; commit").statementCount());
        assertEquals(1, SqlLexer.lex("select $$;$$, ';', \";\" /* ; */").statementCount());
    }

    @Test
    void unterminatedTokensRunToTheEnd() {
        for (String sql : List.of("select 'abc", "select e'abc\\", "select $$abc", "select $x$abc$", "select \"abc",
                "select /* abc /* def */", "select U&'abc", "select B'01", "select '", "select e'", "?", "'", "$",
                "\"", "--", "/*", "U&", "E", "1e", "0x", "date '")) {
            LexedSql l = SqlLexer.lex(sql);
            assertEquals(sql, l.render(null), sql);
        }
        LexedSql l = SqlLexer.lex("select * from t where a = 'abc");
        assertEquals("select * from t where a = ?", l.normalized());
        assertEquals("abc", literal(l, 0).value());
    }

    @Test
    void nullInputLexesAsEmpty() {
        LexedSql l = SqlLexer.lex(null);
        assertEquals("", l.normalized());
        assertArrayEquals(new int[0], l.slotOffsets());
    }

    @Property(tries = 2000)
    void neverThrowsAndRendersBackExactly(@ForAll @StringLength(max = 60) String noise) {
        String sql = "select " + noise;
        LexedSql l = SqlLexer.lex(sql);
        assertEquals(sql, l.render(null));
        assertEquals(l.slots().size(), l.slotOffsets().length);
        for (int off : l.slotOffsets()) assertEquals('?', l.normalized().charAt(off));
    }

    @Property(tries = 1000)
    void sqlishNoiseRendersBackExactly(@ForAll("sqlish") String sql) {
        LexedSql l = SqlLexer.lex(sql);
        assertEquals(sql, l.render(null));
        for (int off : l.slotOffsets()) assertEquals('?', l.normalized().charAt(off));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> sqlish() {
        return net.jqwik.api.Arbitraries.of("select", " ", "'", "''", "e'", "\\", "$$", "$a$", "\"", "--", "\n", "/*", "*/",
                "?", "??", "1", ".5", "e", "date", "U&", "x", "(", ")", ",", ";", "order", "by", "::", "-")
                .list().ofMaxSize(25).map(parts -> String.join("", parts));
    }

    @Test
    void nestingCountsBracketsAndSubqueriesAsTheServerReadsThem() {
        assertEquals(new SqlLexer.Nesting(0, 0), SqlLexer.nesting("select 1"));
        assertEquals(new SqlLexer.Nesting(3, 0), SqlLexer.nesting("select f((a), [b[c]]) from t"));
        assertEquals(new SqlLexer.Nesting(2, 2),
                SqlLexer.nesting("select (select (select 1) union select 2) from t where x in (values (1))"));
        assertEquals(new SqlLexer.Nesting(3, 3), SqlLexer.nesting("with w as (select array[array[1]]) select * from w"));
        // an array constructor over a subquery is one level, not two
        assertEquals(new SqlLexer.Nesting(1, 1), SqlLexer.nesting("select array(select 1)"));
        // levels close with their bracket: siblings do not add up
        assertEquals(new SqlLexer.Nesting(1, 1), SqlLexer.nesting("select (select 1), (select 2), (select 3)"));
        // each statement of a text starts from nothing
        assertEquals(new SqlLexer.Nesting(2, 0), SqlLexer.nesting("select ((1; select (2)"));
    }

    @Test
    void commentsQuotedNamesAndLiteralsNeitherHideNorFakeNesting() {
        // closing brackets in a comment, a quoted name or a string do not lower the count
        assertEquals(6, SqlLexer.nesting("select (((/* ))) */ ((( 1 )))))) from t").brackets());
        assertEquals(6, SqlLexer.nesting("select (((-- )))\n((( 1 )))))) from t").brackets());
        assertEquals(6, SqlLexer.nesting("select ((( \")))\" + ((( 1 )))))) from t").brackets());
        assertEquals(6, SqlLexer.nesting("select ((( ')))' || ((( $$)))$$ )))))) from t").brackets());
        // and opening ones there do not raise it
        assertEquals(1, SqlLexer.nesting("select ('((((((' || $x$(((((($x$ /* (((((( */ || \"((((\") from t").brackets());
        assertEquals(0, SqlLexer.nesting("select '(select (select 1))' from t").queries());
    }
}

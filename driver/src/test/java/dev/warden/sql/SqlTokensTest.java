package dev.warden.sql;

import static dev.warden.sql.SqlTokens.Kind.DOLLAR_STRING;
import static dev.warden.sql.SqlTokens.Kind.NUMBER;
import static dev.warden.sql.SqlTokens.Kind.OPERATOR;
import static dev.warden.sql.SqlTokens.Kind.PARAMETER;
import static dev.warden.sql.SqlTokens.Kind.PUNCTUATION;
import static dev.warden.sql.SqlTokens.Kind.QUOTED_IDENTIFIER;
import static dev.warden.sql.SqlTokens.Kind.STRING;
import static dev.warden.sql.SqlTokens.Kind.WORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.sql.SqlLexer.Dialect;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/**
 * The token stream every SQL reader works on, and the edge cases where Warden's scanners used to disagree with
 * one another (each was a second place for the same bug). Pure: no database (the server's agreement is checked in
 * the gateway's {@code SqlSplitAgreesWithPostgresIT}).
 */
class SqlTokensTest {

    /** "KIND text" per token. */
    private static List<String> tokens(String sql, Dialect dialect) {
        SqlTokens t = SqlLexer.tokens(sql, dialect);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < t.count(); i++) out.add(t.kind(i) + " " + t.text(i));
        return out;
    }

    private static List<String> server(String sql) {
        return tokens(sql, Dialect.SERVER);
    }

    @Test
    void kindsAndPositions() {
        SqlTokens t = SqlLexer.tokens("SELECT \"Na\"\"me\", 'x', 1.5e3 FROM t WHERE a = $1 -- c\n;", Dialect.SERVER);
        assertEquals(List.of(WORD, QUOTED_IDENTIFIER, PUNCTUATION, STRING, PUNCTUATION, NUMBER, WORD, WORD, WORD, WORD,
                OPERATOR, PARAMETER, PUNCTUATION), kinds(t));
        assertEquals(7, t.start(1));
        assertEquals(15, t.end(1));
        assertTrue(t.isWord(0, "select"));
        assertFalse(t.unterminated());
    }

    @Test
    void commentsAreSkippedNestedBlockCommentsIncluded() {
        assertEquals(List.of("WORD select", "NUMBER 2"), server("select /* a /* b */ c */ 2"));
        assertEquals(List.of("WORD select", "NUMBER 1"), server("select 1 -- no newline at the end"));
        // a carriage return ends a line comment, as in PostgreSQL's scanner
        assertEquals(List.of("WORD select", "NUMBER 1", "PUNCTUATION ;", "WORD drop"), server("select 1 --x\r; drop"));
        assertEquals(List.of("OPERATOR +"), server("+-- a comment, not an operator -"));
    }

    @Test
    void stringsOfEveryForm() {
        assertEquals(List.of("WORD select", "STRING E'\\''", "PUNCTUATION ;"), server("select E'\\'';"));
        assertEquals(List.of("STRING 'a\\'", "PUNCTUATION ;", "STRING ''"), server("'a\\'; ''"));
        assertEquals(List.of("STRING 'it''s'", "STRING N'n'", "STRING B'01'", "STRING X'1f'", "STRING U&'d\\0061'"),
                server("'it''s' N'n' B'01' X'1f' U&'d\\0061'"));
        assertEquals(List.of("QUOTED_IDENTIFIER U&\"d\\0061\""), server("U&\"d\\0061\""));
    }

    @Test
    void dollarQuotesWithAndWithoutTags() {
        assertEquals(List.of("DOLLAR_STRING $$a;'b$$", "PUNCTUATION ;"), server("$$a;'b$$;"));
        assertEquals(List.of("DOLLAR_STRING $fn$ $$ ; $fn$", "PUNCTUATION ;"), server("$fn$ $$ ; $fn$;"));
        assertEquals(List.of("WORD a$1", "PARAMETER $1", "PARAMETER $12"), server("a$1 $1 $12"));
        SqlTokens open = SqlLexer.tokens("select $q$ never closed", Dialect.SERVER);
        assertEquals(DOLLAR_STRING, open.kind(1));
        assertTrue(open.unterminated());
    }

    @Test
    void castsColonsAndOperators() {
        assertEquals(List.of("WORD x", "OPERATOR ::", "WORD int"), server("x::int"));
        assertEquals(List.of("PUNCTUATION :", "WORD name"), server(":name"));
        assertEquals(List.of("WORD a", "PUNCTUATION [", "NUMBER 1", "PUNCTUATION :", "NUMBER 2", "PUNCTUATION ]"),
                server("a[1:2]"));
        assertEquals(List.of("OPERATOR ::", "PUNCTUATION :"), server(":::"));
        assertEquals(List.of("WORD j", "OPERATOR ->>", "STRING 'k'", "OPERATOR <=", "NUMBER 2"), server("j->>'k' <= 2"));
        // PostgreSQL's rule: a multi-character operator does not end in + or - unless it holds ~ ! @ # % ^ & | ` ?
        assertEquals(List.of("NUMBER 2", "OPERATOR *", "OPERATOR -", "NUMBER 1"), server("2*-1"));
        assertEquals(List.of("WORD a", "OPERATOR @-", "WORD b"), server("a @- b"));
    }

    @Test
    void questionMarksAreParametersInJdbcTextAndOperatorsInServerText() {
        assertEquals(List.of("WORD j", "OPERATOR ?", "STRING 'k'"), server("j ? 'k'"));
        assertEquals(List.of("WORD j", "OPERATOR ?|", "WORD a"), server("j ?| a"));
        assertEquals(List.of("WORD j", "OPERATOR ??", "STRING 'k'"), server("j ?? 'k'"));
        assertEquals(List.of("WORD j", "PARAMETER ?", "OPERATOR |", "WORD a"), tokens("j ?| a", Dialect.JDBC));
        assertEquals(List.of("WORD j", "OPERATOR ??", "STRING 'k'"), tokens("j ?? 'k'", Dialect.JDBC));
    }

    @Test
    void semicolonsInsideQuotesCommentsAndDollarBodiesEndNothing() {
        String sql = "select ';', \";\", $$;$$, $t$;$t$ /* ; */ -- ;\n; select 2";
        assertEquals(1, separators(sql));
        assertEquals(2, SqlLexer.lex(sql).statementCount());
    }

    @Test
    void beginAtomicBodiesHoldTheirSemicolons() {
        String create = "CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC "
                + "SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END; SELECT 1 AS x; END";
        assertEquals(1, separators(create + "; SELECT 3"));
        assertEquals(2, SqlLexer.lex(create + "; SELECT 3").statementCount());
        assertEquals(1, SqlLexer.lex("CREATE PROCEDURE p() BEGIN ATOMIC INSERT INTO t VALUES (1); END").statementCount());
        // BEGIN alone (a transaction) and BEGIN ATOMIC outside a routine's definition hold nothing
        assertEquals(3, SqlLexer.lex("BEGIN; SELECT 1; END").statementCount());
        assertEquals(2, SqlLexer.lex("CREATE TABLE begin_atomic (a int); SELECT 1").statementCount());
        assertEquals(2, SqlLexer.lex("CREATE FUNCTION f() RETURNS int AS $$ begin atomic $$ LANGUAGE sql; SELECT 1")
                .statementCount());
    }

    @Test
    void aBodyEndsEarlyRatherThanLateWhenCaseOrEndMayBeALabel() {
        // "case" here is a column label, not a CASE expression: the body ends at the first END, so the server's
        // reading (one statement until END) is cut short at worst, never extended over a following statement
        assertEquals(3, SqlLexer.lex("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 case; END;"
                + " SELECT ssn FROM customers; END").statementCount());
        assertEquals(2, SqlLexer.lex("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end, "
                + "t.end FROM t; END; SELECT ssn FROM customers").statementCount());
    }

    @Test
    void firstWordSkipsCommentsAndParentheses() {
        assertEquals("select", SqlLexer.firstWord(" /* x */ -- y\r ((SELECT 1))"));
        assertEquals("with", SqlLexer.firstWord("(((((((((((with x as (select 1) select 2)))))))))))"));
        assertEquals("", SqlLexer.firstWord("\"select\""));
        assertEquals("", SqlLexer.firstWord("  "));
    }

    @Test
    void aTokenLimitStopsTheScanEarly() {
        SqlTokens t = SqlLexer.tokens("select a, b from t", Dialect.SERVER, 2);
        assertEquals(2, t.count());
        assertEquals("a", t.text(1));
    }

    @Property(tries = 2000)
    void tokensCoverTheTextInOrderAndNeverThrow(@ForAll @StringLength(max = 60) String noise) {
        for (Dialect d : Dialect.values()) {
            SqlTokens t = SqlLexer.tokens(noise, d);
            int at = 0;
            for (int i = 0; i < t.count(); i++) {
                assertTrue(t.start(i) >= at && t.end(i) > t.start(i) && t.end(i) <= noise.length(), t.toString());
                at = t.end(i);
            }
        }
    }

    private static int separators(String sql) {
        return SqlLexer.semicolons(SqlLexer.lex(sql).normalized()).length;
    }

    private static List<SqlTokens.Kind> kinds(SqlTokens t) {
        List<SqlTokens.Kind> out = new ArrayList<>();
        for (int i = 0; i < t.count(); i++) out.add(t.kind(i));
        return out;
    }
}

package dev.warden.gateway;

import dev.warden.gateway.session.SqlText;
import dev.warden.gateway.session.StatementKind;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.warden.sql.SqlLexer;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Property-style: random concatenations of the fragments on which Warden's SQL scanners used to disagree, sent to a
 * real PostgreSQL as one simple Query. The server runs them as N statements with N command tags; the gateway's
 * {@link SqlText#split} must cut the text into the same N statements (each, sent alone, gives the same tag), the
 * lexer must count N ({@link SqlLexer#lex}), and {@link StatementKind} must name each tag as the server does.
 */
class SqlSplitAgreesWithPostgresIT {

    /** Complete statements, each valid on its own; the comments say what each one tests. */
    private static final List<String> FRAGMENTS = List.of(
            "SELECT 'a;b'",                                          // ; in a string
            "SELECT 1 AS \"x;y\"",                                   // ; in a quoted name
            "SELECT $$;'$$",                                         // ; and ' in a dollar quote
            "SELECT $q$ ; $$ ; $q$",                                 // a tagged dollar quote holding $$
            "SELECT 1 -- ;\n + 1",                                   // ; in a line comment ended by \n
            "SELECT 1 --x;\r + 2",                                   // a line comment ended by \r alone
            "SELECT /* ; /* ; */ ; */ 2",                            // nested block comments
            "SELECT E'\\';'",                                        // E'' with an escaped quote
            "SELECT 'a\\'",                                          // a backslash ends nothing in a plain string
            "SELECT '{\"a\":1}'::jsonb ? 'a'",                       // ? is an operator, :: a cast
            "SELECT '{\"a\":1}'::jsonb ?| array['a']",               // ?| operator
            "SELECT 2*-1",                                           // *- is two operators
            "SELECT (ARRAY[1,2,3])[1:2]",                            // : in a slice
            "SELECT U&'d\\0061t'",                                   // a Unicode-escape string
            "SELECT 1 AS \"end\"",
            "CREATE OR REPLACE FUNCTION pg_temp.warden_f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
                    + "SELECT 1; SELECT CASE WHEN true THEN 2 ELSE 3 END; END",  // ; inside BEGIN ATOMIC ... END
            "CREATE OR REPLACE FUNCTION pg_temp.warden_g() RETURNS int LANGUAGE sql AS $fn$ SELECT 1; $fn$");
    private static final List<String> SEPARATORS = List.of(";", "; ", ";\n", ";;", "; /* ; */ ", ";-- c\n", ";--c\r",
            ";\r\n", " ;\t");

    private static RawPgClient server;

    @BeforeAll
    static void connect() throws IOException {
        String url = EmbeddedPostgres.freshDatabase();
        server = new RawPgClient(EmbeddedPostgres.port(), url.substring(url.lastIndexOf('/') + 1));
        server.login(EmbeddedPostgres.USER, "");  // PostgreSQL 14 or later: BEGIN ATOMIC
    }

    @AfterAll
    static void close() throws IOException {
        if (server != null) server.close();
    }

    @Test
    void eachFragmentAloneIsOneStatementEverywhere() throws IOException {
        for (String f : FRAGMENTS) {
            assertAgreement(f);
            assertAgreement(f + ";");
            assertAgreement(f + " -- a comment without a newline at the end");
        }
    }

    @Test
    void randomConcatenationsAgree() throws IOException {
        Random random = new Random(20261206L);
        for (int round = 0; round < 150; round++) {
            StringBuilder sql = new StringBuilder();
            int n = 1 + random.nextInt(5);
            for (int k = 0; k < n; k++) {
                if (random.nextInt(4) == 0) sql.append(random.nextBoolean() ? "/* lead; */ " : "-- lead;\n");
                sql.append(FRAGMENTS.get(random.nextInt(FRAGMENTS.size())));
                if (k < n - 1 || random.nextBoolean()) sql.append(SEPARATORS.get(random.nextInt(SEPARATORS.size())));
            }
            assertAgreement(sql.toString());
        }
    }

    /** The text's statements, run together and one by one, give the same tags; the lexer counts as many. */
    private static void assertAgreement(String sql) throws IOException {
        List<String> whole = run(sql);
        List<String> pieces = SqlText.split(sql);
        List<String> oneByOne = new ArrayList<>();
        for (String piece : pieces) {
            List<String> tags = run(piece);
            assertEquals(1, tags.size(), () -> "piece " + show(piece) + " of " + show(sql) + " is not one statement");
            oneByOne.addAll(tags);
            String tag = tags.get(0);
            long rows = tag.startsWith("SELECT ") ? Long.parseLong(tag.substring(7)) : 0;
            assertEquals(tag, StatementKind.of(piece).tag(tag.startsWith("SELECT "), rows, 'I'), () -> show(piece));
        }
        assertEquals(whole, oneByOne, () -> "split of " + show(sql) + ": " + pieces);
        assertEquals(whole.size(), SqlLexer.lex(sql).statementCount(), () -> "statements counted in " + show(sql));
    }

    /** The command tags of one simple Query; fails on an error (every fragment is valid). */
    private static List<String> run(String sql) throws IOException {
        server.query(sql);
        List<String> tags = new ArrayList<>();
        String error = null;
        RawPgClient.Message m;
        while ((m = server.read()).type() != 'Z') {
            if (m.type() == 'C') tags.add(new String(m.body(), 0, m.body().length - 1, StandardCharsets.UTF_8));
            if (m.type() == 'E') error = m.text().replace('\0', ' ');
        }
        if (error != null) throw new AssertionError(show(sql) + " failed on the server: " + error);
        return tags;
    }

    private static String show(String sql) {
        return "\"" + sql.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }
}

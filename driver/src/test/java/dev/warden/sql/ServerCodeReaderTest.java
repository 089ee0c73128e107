package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding the code a statement hands the server: DO blocks, function and procedure bodies, COPY with a file. */
class ServerCodeReaderTest {

    private static List<ServerCodeReader.Code> read(String sql) {
        return ServerCodeReader.read(SqlLexer.lex(sql));
    }

    @Test
    void doBlocksDefaultToPlpgsqlAndKeepTheirBody() {
        ServerCodeReader.Code code = read("DO $$ BEGIN EXECUTE 'x'; END $$").get(0);
        assertEquals("DO block", code.what());
        assertEquals("plpgsql", code.language());
        assertTrue(code.body().contains("EXECUTE 'x'"));
        assertTrue(code.readable());
        assertEquals("plpython3u", read("do language PLPYTHON3U $b$ plpy.execute('x') $b$").get(0).language());
        assertEquals("plperl", read("DO $$ 1 $$ LANGUAGE 'plperl'").get(0).language());
        assertEquals("DO block", read("SELECT 1; /* c */ DO $$ BEGIN NULL; END $$").get(0).what());
    }

    @Test
    void functionBodiesAndLanguagesAreRead() {
        ServerCodeReader.Code f = read("CREATE OR REPLACE FUNCTION app.f(a text DEFAULT 'x') RETURNS trigger"
                + " AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql").get(0);
        assertEquals("CREATE FUNCTION app.f", f.what());
        assertEquals("plpgsql", f.language());
        assertEquals(" BEGIN RETURN NEW; END ", f.body());
        ServerCodeReader.Code p = read("CREATE PROCEDURE p() LANGUAGE sql AS 'select 1'").get(0);
        assertEquals("CREATE PROCEDURE p", p.what());
        assertEquals("sql", p.language());
        assertEquals("select 1", p.body());
        ServerCodeReader.Code c = read("CREATE FUNCTION c(text) RETURNS text AS 'lib', 'sym' LANGUAGE C").get(0);
        assertEquals("c", c.language());
        assertFalse(c.readable());
        ServerCodeReader.Code standard = read("CREATE FUNCTION s() RETURNS int LANGUAGE sql RETURN 1").get(0);
        assertNull(standard.body());
        assertTrue(standard.readable());
        assertFalse(read("CREATE FUNCTION q() RETURNS int LANGUAGE plpgsql AS ?").get(0).readable());
        assertTrue(read("CREATE TABLE t (x int)").isEmpty());
        assertTrue(read("SELECT 1 ON CONFLICT DO NOTHING").isEmpty());
    }

    @Test
    void copyWithAServerFileOrProgramIsFound() {
        assertTrue(ServerCodeReader.copiesServerFile(SqlLexer.lex("COPY t TO '/tmp/x'")));
        assertTrue(ServerCodeReader.copiesServerFile(SqlLexer.lex("copy t from program 'cat'")));
        assertTrue(ServerCodeReader.copiesServerFile(SqlLexer.lex("COPY (SELECT 1) TO '/tmp/x' WITH (FORMAT csv)")));
        assertFalse(ServerCodeReader.copiesServerFile(SqlLexer.lex("COPY t FROM STDIN")));
        assertFalse(ServerCodeReader.copiesServerFile(SqlLexer.lex("COPY (SELECT substring(a FROM 1) FROM t) TO STDOUT")));
    }
}

package dev.warden.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Queries on the system catalogs that name a protected table only in a string (psql's {@code \d} family, recorded
 * from psql 15 with {@code -E} in {@code psql15-describe-queries.txt}) are fully analysed, reading no protected
 * column; the same spellings around a protected column still report it, and what cannot be placed stays a problem.
 */
class CatalogQueriesTest {

    private static final Map<String, List<String>> PG_CATALOG = catalogColumns();
    private static final Catalog CATALOG = t -> {
        if ((t.schema() == null || t.schema().equals("public")) && t.name().equals("patients")) {
            return List.of("id", "name", "ssn");
        }
        return t.schema() == null || t.schema().equals("pg_catalog") ? PG_CATALOG.get(t.name()) : null;
    };
    private static final TableName PATIENTS = new TableName(null, "patients");

    private static Plan plan(String sql) {
        return new SqlAnalyzer().analyze(SqlLexer.lex(sql), CATALOG);
    }

    private static String resource(String name) {
        try (InputStream in = CatalogQueriesTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, List<String>> catalogColumns() {
        Map<String, List<String>> m = new HashMap<>();
        for (String line : resource("pg15-catalog-columns.txt").split("\n")) {
            String[] parts = line.split("\\|");
            m.put(parts[0], List.of(parts[1].split(",")));
        }
        return m;
    }

    @Test
    void everyPsqlDescribeQueryIsAnalysedWithoutProblemsAndReadsNoProtectedTable() {
        String command = "";
        StringBuilder query = new StringBuilder();
        List<String> failures = new ArrayList<>();
        int queries = 0;
        for (String line : resource("psql15-describe-queries.txt").split("\n")) {
            if (line.startsWith("=== ")) {
                command = line.substring(4);
            } else if (line.equals("---")) {
                Plan p = plan(query.toString());
                queries++;
                if (!p.resolved()) failures.add(command + ": " + p.problems());
                if (p.tables().contains(PATIENTS)) failures.add(command + ": reads patients");
                query.setLength(0);
            } else {
                query.append(line).append('\n');
            }
        }
        assertEquals(34, queries);
        assertEquals(List.of(), failures);
    }

    @Test
    void respellingKeepsLengthAndTouchesOnlyCode() {
        String sql = "select 1 from t where a OPERATOR(pg_catalog.~) ? COLLATE pg_catalog.default"
                + " and \"OPERATOR(pg_catalog.~)\" = 1 -- OPERATOR(pg_catalog.~)\n and b operator ( PG_CATALOG . !~* ) ?";
        String out = ParserSpelling.forParser(sql);
        assertEquals(sql.length(), out.length());
        assertTrue(out.contains("a ~                      ? COLLATE c_________________"), out);
        assertTrue(out.contains("\"OPERATOR(pg_catalog.~)\" = 1 -- OPERATOR(pg_catalog.~)"), out);
        assertTrue(out.contains("b !~*                           ?"), out);
        // other operators are left alone: the statement then does not parse and is refused on protected tables
        assertEquals("a OPERATOR(pg_catalog.=) b", ParserSpelling.forParser("a OPERATOR(pg_catalog.=) b"));
        assertEquals("a OPERATOR(myschema.~) b", ParserSpelling.forParser("a OPERATOR(myschema.~) b"));
    }

    @Test
    void aProtectedColumnUnderTheSameSpellingsIsStillReported() {
        Plan p = plan("select id from patients where ssn OPERATOR(pg_catalog.~) '^1' COLLATE pg_catalog.default");
        assertTrue(p.uses().stream().anyMatch(u -> u.column().equals(new ColumnRef(PATIENTS, "ssn"))
                && u.kind() == UseKind.UNSUPPORTED), () -> p.uses().toString());
        assertProblem(plan("select id from patients where ssn OPERATOR(pg_catalog.=) '1'"), "cannot parse");
        // an unknown node on a protected column, inside a catalog query, is still a problem
        Plan unknown = plan("select c.relname from pg_catalog.pg_class c, patients p"
                + " where c.relname OPERATOR(pg_catalog.~) '^(patients)$' and p.ssn = ? and c.oid = 1 and p.name ~ 'x'"
                + " and p.id = (select n.id from patients n where n.ssn MEMBER OF (?))");
        assertFalse(unknown.resolved() && unknown.uses().isEmpty(), () -> unknown.uses() + " " + unknown.problems());
    }

    @Test
    void aFunctionInFromNamesItsOwnOutputOnlyWhenNothingElseMay() {
        Plan own = plan("select array(select 'x' || s from pg_catalog.unnest(c.reloptions) s) from pg_catalog.pg_class c");
        assertTrue(own.resolved(), () -> own.problems().toString());
        // the outer patients offers ssn: the server reads the protected column, not the function's output
        Plan outer = plan("select (select ssn from pg_catalog.pg_get_keywords() ssn) from patients");
        assertFalse(outer.resolved() && outer.uses().isEmpty(), () -> outer.uses() + " " + outer.problems());
        Plan scalar = plan("select (select ssn[s] from generate_series(1, 2) s) from patients");
        assertTrue(scalar.uses().stream().anyMatch(u -> u.column().equals(new ColumnRef(PATIENTS, "ssn"))),
                () -> scalar.uses() + " " + scalar.problems());
        assertProblem(plan("select word from pg_catalog.pg_get_keywords() k, patients"), "cannot resolve column word");
    }

    private static void assertProblem(Plan p, String part) {
        assertTrue(p.problems().stream().anyMatch(s -> s.contains(part)), () -> "expected '" + part + "' in " + p.problems());
    }
}

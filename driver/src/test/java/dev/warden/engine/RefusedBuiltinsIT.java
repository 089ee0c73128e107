package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link RefusedBuiltins} is an explicit list; this test keeps it complete against the live catalog: every
 * function or system view of PostgreSQL in one of the refused families (found by name pattern, and by argument
 * names that say "a query or a table to read") is listed, or is on the short list of looked-at exceptions here.
 * A PostgreSQL upgrade adding such a built-in fails this test rather than passing it through.
 */
class RefusedBuiltinsIT {

    /** Looked at and allowed: they compute on their arguments or show no stored value. */
    private static final Set<String> LOOKED_AT = Set.of(
            "pg_stat_file",                    // listed (server files); kept here only if it were missing
            "pg_stat_get_activity",            // listed
            "pg_stat_reset_single_table_counters", "pg_stat_reset_single_function_counters",  // counters only
            "pg_statistics_obj_is_visible",    // visibility of an extended statistics object, no value
            "lo_compat_privileges",
            "ts_debug", "ts_parse", "ts_token_type", "ts_headline", "ts_lexize",  // parse their argument text
            "pg_get_serial_sequence", "pg_relation_is_updatable", "pg_column_is_updatable",
            "pg_partition_tree", "pg_partition_ancestors", "pg_partition_root",
            // definitions from the catalog, like pg_get_viewdef (see RefusedBuiltins)
            "pg_get_statisticsobjdef", "pg_get_statisticsobjdef_columns", "pg_get_statisticsobjdef_expressions",
            "pg_identify_object", "pg_available_extension_versions",
            "pg_largeobject_metadata",         // owners and privileges of large objects, no content (pg_dump reads it)
            "pg_statistic_ext");               // definitions of extended statistics, no values (psql's \d lists them)

    @Test
    void everyBuiltinOfARefusedFamilyIsListed() throws SQLException {
        Set<String> found = new TreeSet<>();
        try (Connection c = EmbeddedPostgres.rawConnection(EmbeddedPostgres.freshDatabase());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("""
                     SELECT proname FROM pg_catalog.pg_proc
                      WHERE pronamespace = 'pg_catalog'::regnamespace
                        AND (proname LIKE '%\\_to\\_xml%' OR proname ~ '^lo_|^lo(read|write)$'
                             OR proname ~ '^pg_(read|ls|file|logdir)_' OR proname ~ 'statistic|^pg_stats|^pg_mcv'
                             OR proname ~ '^pg_stat_get_(backend_)?activity$' OR proname ~ '^ts_(stat|rewrite)$'
                             OR proname ~ '^pg_logical_slot_(get|peek)_'
                             OR proargnames && ARRAY['query', 'sqlquery', 'select', 'cursor', 'tbl', 'schema']::text[])
                     UNION
                     SELECT relname FROM pg_catalog.pg_class
                      WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind IN ('r', 'v', 'm')
                        AND (relname ~ '^pg_stat(s|istic)' OR relname ~ '^pg_largeobject'
                             OR relname IN ('pg_stat_activity', 'pg_prepared_statements', 'pg_cursors'))""")) {
            while (rs.next()) found.add(rs.getString(1));
        }
        assertTrue(found.contains("query_to_xml") && found.contains("pg_stats"), "the catalog query finds: " + found);
        Set<String> missing = new TreeSet<>();
        for (String name : found) {
            if (!RefusedBuiltins.names().contains(name) && !LOOKED_AT.contains(name)) missing.add(name);
        }
        assertEquals(Set.of(), missing, "built-ins of a refused family that RefusedBuiltins does not list");
    }

    @Test
    void statementTextViewsAreRefusedOnlyWhenThePolicyHasRulesOnlyColumns() {
        assertEquals("pg_stat_activity", RefusedBuiltins.firstIn(Set.of("pg_stat_activity"), true));
        assertEquals(null, RefusedBuiltins.firstIn(Set.of("pg_stat_activity"), false));
        assertEquals("dblink_exec", RefusedBuiltins.firstIn(Set.of("dblink_exec"), false));
    }
}

package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Policy;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.TableName;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Server-side objects that reach protected tables behind a name Warden would otherwise pass through, read
 * from PostgreSQL's catalog. They were all created outside Warden (Warden refuses creating them over a
 * protected table, see {@link SchemaChangeRules}), and Warden cannot see inside them:
 * <ul>
 *   <li><b>relations</b>: tables sharing rows with a protected table through inheritance or partitioning
 *       ({@code pg_inherits}: its parents and their ancestors, whose reads include the protected table's rows,
 *       and its children and partitions, whose rows the protected table's reads, masks and writes cover); views,
 *       materialized views and tables with rewrite rules that depend, directly or through one another, on a
 *       protected table or such a relative ({@code pg_depend} over {@code pg_rewrite}). Reading one shows
 *       ciphertext, and the plaintext of rules-only columns, as data under a name the policy does not cover; a
 *       filter on it silently matches nothing, and a write through an updatable view, a rule or a parent would
 *       store plaintext in a protected column.</li>
 *   <li><b>functions</b> outside the system schemas whose body (for an SQL-standard body, its deparsed
 *       definition) names a protected table, or that Warden cannot read and so may reach any table: another
 *       language than SQL or PL/pgSQL, dynamic SQL ({@code EXECUTE}), COPY, a {@link RefusedBuiltins refused
 *       built-in}; then, to a fixpoint, functions calling those (by name, or an aggregate's support functions)
 *       and views calling them or reading such views. Functions the policy trusts ({@code functions:}) and those
 *       of {@link #PURE_EXTENSIONS} never count.</li>
 *   <li><b>trigger tables</b>: tables with a trigger, column default, constraint or index expression running
 *       such a function; a write to them runs it.</li>
 *   <li><b>operators and casts</b> running such a function, by symbol and by target type name.</li>
 *   <li><b>protected tables with an outlet</b>: a table holding rules-only columns (plaintext at rest) whose
 *       trigger, column default, constraint or index expression runs a function that can send the row's values
 *       out of it ({@link #OUTLET_WORDS}: another table, a notification, a setting, a lock, dynamic SQL; or a
 *       language Warden cannot read; or a call of such a function). A write to it hands the trigger the
 *       plaintext of columns the writer may not see, so it is refused like a write to a trigger table.</li>
 *   <li><b>shadowing</b> functions and operators: a user function or aggregate named like a function of
 *       {@code pg_catalog}, and any user operator. The analyzer lets a protected column reach a few built-ins by
 *       name ({@code =}, {@code <>}, {@code IN}, {@code count}); the server picks what such a name means by
 *       {@code search_path} and argument types, so {@code public.count(text)} or an {@code evil.=} first on the
 *       path would be handed the protected value (and could store it, raise it or notify it). A statement
 *       touching a protected table that spells such a name is refused.</li>
 * </ul>
 * The engine refuses data statements naming a relation, a function, an operator or a cast, and writes to a
 * trigger table (0A000), so it must know their names before its cheap "mentions a protected table" check.
 * Bodies are matched on bare names as whole words (string contents included), which errs on the side of
 * refusing.
 *
 * <p>Read on first use and again when older than {@link #REFRESH_NANOS} or after DDL passes through the
 * engine ({@link #invalidate}); a re-reading that differs tells the caller to drop its cached verdicts. On
 * other databases (H2) nothing is looked up. Thread-safe.
 */
final class ServerSideObjects {

    /** How long a reading of the catalog is trusted: objects created outside Warden are seen within this. */
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * One reading. Keys are lower-case; {@code words} holds every bare name, for the lexer check. Relations and
     * trigger tables in a temporary schema belong to the one session that owns the schema: they are kept apart
     * ({@code temporary}, by schema) and seen only through {@link #forSession}, so that one session's temporary
     * view never decides another's statements.
     */
    record Snapshot(Set<String> words, Map<String, String> relations, Map<String, String> triggerTables,
                    Map<String, String> functions, Map<String, String> operators, Map<String, Snapshot> temporary,
                    String overload, Map<String, String> shadowing, long readAtNanos) {
        /**
         * Operators the server looks up by name for shapes that never spell them: IN and NOT IN, CASE x WHEN,
         * NULLIF, IS [NOT] DISTINCT FROM, JOIN ... USING, BETWEEN, row comparisons. A user operator with one of
         * these symbols counts as spelled in every statement.
         */
        static final Set<String> IMPLICIT_OPERATORS = Set.of("=", "<>", "<", ">", "<=", ">=");

        /** Nothing found: on databases other than PostgreSQL (never read again), or while unreadable. */
        static final Snapshot NONE = new Snapshot(Set.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), null,
                Map.of(), 0);

        /**
         * "operator public.### runs function public.f() ..." for the first user operator, running a function that
         * reaches, whose symbol appears in {@code normalized} (literals replaced, so a symbol inside a string is
         * not seen; a symbol that is part of a longer one is, erring on the side of refusing), else null.
         */
        String operator(String normalized) {
            if (operators.isEmpty()) return null;
            for (Map.Entry<String, String> e : operators.entrySet()) {
                if (normalized.contains(e.getKey())) return e.getValue();
            }
            return null;
        }

        /**
         * This reading as the session whose temporary schema is {@code temporarySchema} (null: none) sees it:
         * its own temporary relations (by bare name, by that schema's name and by {@code pg_temp}), no other
         * session's. Costs nothing while no session has a temporary relation over a protected table.
         */
        Snapshot forSession(String temporarySchema) {
            if (temporary.isEmpty()) return this;
            Snapshot own = temporarySchema == null ? null : temporary.get(temporarySchema.toLowerCase(Locale.ROOT));
            if (own == null) return new Snapshot(words, relations, triggerTables, functions, operators, Map.of(), overload,
                    shadowing, readAtNanos);
            Map<String, String> ownRelations = new HashMap<>(relations);
            ownRelations.putAll(own.relations());  // searched first by the server, so it wins for a bare name
            Map<String, String> ownTriggerTables = new HashMap<>(triggerTables);
            ownTriggerTables.putAll(own.triggerTables());
            return new Snapshot(words, Map.copyOf(ownRelations), Map.copyOf(ownTriggerTables), functions, operators,
                    Map.of(), overload, shadowing, readAtNanos);
        }

        /** "view public.v (over public.customers)" when {@code table} is such a relation, else null. */
        String relation(TableName table) {
            return lookup(relations, table);
        }

        /** "table public.t, trigger t_copy runs public.f() which names customers", else null. */
        String triggerTable(TableName table) {
            return lookup(triggerTables, table);
        }

        /**
         * "function public.count() shadows the built-in count()" for the first user function named like a built-in
         * among {@code words}, else "operator evil.=" for the first user operator whose symbol appears in
         * {@code normalized} (a symbol inside a longer one counts: erring on the side of refusing) or is one of
         * {@link #IMPLICIT_OPERATORS}, else null.
         */
        String shadowing(Collection<String> words, String normalized) {
            if (shadowing.isEmpty()) return null;
            for (String word : words) {
                String found = shadowing.get(word);
                if (found != null) return found;
            }
            for (Map.Entry<String, String> e : shadowing.entrySet()) {
                if (e.getValue().startsWith("operator ")
                        && (IMPLICIT_OPERATORS.contains(e.getKey()) || normalized.contains(e.getKey()))) {
                    return e.getValue();
                }
            }
            return null;
        }

        /** "function public.f() names customers" for the first of {@code words} naming such a function. */
        String function(Collection<String> words) {
            if (functions.isEmpty()) return null;
            for (String word : words) {
                String found = functions.get(word);
                if (found != null) return found;
            }
            return null;
        }

        private static String lookup(Map<String, String> byName, TableName table) {
            if (byName.isEmpty() || table == null || table.name() == null) return null;
            String found = byName.get(key(table.schema(), table.name()));
            return found != null || table.schema() == null ? found : null;
        }
    }

    // tables sharing rows with a protected table through inheritance or partitioning (its ancestors, whose reads
    // include its rows, and its descendants, whose rows its reads, masks and writes cover; not its siblings), then
    // relations whose rewrite rule (a view's, a materialized view's, a rule's) depends on a protected table or on
    // such a relative, then on such a relation, and so on; "how" is null for a rewrite rule's relation
    private static final String PG_DEPENDENT_RELATIONS = """
            WITH RECURSIVE protected(oid, over) AS (
                SELECT t.oid, tn.nspname || '.' || t.relname
                  FROM pg_catalog.pg_class t
                  JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
                 WHERE t.relkind IN ('r', 'p', 'f')
                   AND ((tn.nspname || '.' || t.relname) = ANY (?) OR ('*.' || t.relname) = ANY (?))
            ), ancestor(oid, over) AS (
                SELECT i.inhparent, p.over FROM protected p JOIN pg_catalog.pg_inherits i ON i.inhrelid = p.oid
              UNION
                SELECT i.inhparent, a.over FROM ancestor a JOIN pg_catalog.pg_inherits i ON i.inhrelid = a.oid
            ), descendant(oid, over) AS (
                SELECT i.inhrelid, p.over FROM protected p JOIN pg_catalog.pg_inherits i ON i.inhparent = p.oid
              UNION
                SELECT i.inhrelid, d.over FROM descendant d JOIN pg_catalog.pg_inherits i ON i.inhparent = d.oid
            ), relative(oid, over, how) AS (
                SELECT oid, over, 'an inheritance parent of' FROM ancestor
                 WHERE oid NOT IN (SELECT oid FROM protected)
              UNION
                SELECT oid, over, 'an inheritance child or partition of' FROM descendant
                 WHERE oid NOT IN (SELECT oid FROM protected)
            ), dependent(oid, over) AS (
                SELECT DISTINCT r.ev_class, t.over
                  FROM (SELECT oid, over FROM protected UNION SELECT oid, over FROM relative) t
                  JOIN pg_catalog.pg_depend d ON d.refobjid = t.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                       AND d.classid = 'pg_catalog.pg_rewrite'::regclass
                  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                 WHERE r.ev_class <> t.oid
              UNION
                SELECT r.ev_class, v.over
                  FROM dependent v
                  JOIN pg_catalog.pg_depend d ON d.refobjid = v.oid
                       AND d.refclassid = 'pg_catalog.pg_class'::regclass
                       AND d.classid = 'pg_catalog.pg_rewrite'::regclass
                  JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
                 WHERE r.ev_class <> v.oid
            )
            SELECT n.nspname, c.relname, c.relkind::text, string_agg(DISTINCT v.over, ', ' ORDER BY v.over),
                   min(v.how)
              FROM (SELECT oid, over, NULL::text AS how FROM dependent UNION SELECT oid, over, how FROM relative) v
              JOIN pg_catalog.pg_class c ON c.oid = v.oid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             GROUP BY n.nspname, c.relname, c.relkind""";

    // rewrite rules of user relations (views, materialized views, rules): their definition (for built-ins, which
    // are pinned and leave no pg_depend row) and the user functions and relations they depend on
    private static final String PG_USER_RULES = """
            SELECT r.ev_class, n.nspname, c.relname, c.relkind::text, pg_catalog.pg_get_ruledef(r.oid),
                   ARRAY(SELECT d.refobjid FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                            AND d.refclassid = 'pg_catalog.pg_proc'::regclass
                         UNION ALL
                         SELECT o.oprcode::oid FROM pg_catalog.pg_depend d
                           JOIN pg_catalog.pg_operator o ON o.oid = d.refobjid
                          WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                            AND d.refclassid = 'pg_catalog.pg_operator'::regclass),
                   ARRAY(SELECT d.refobjid FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                            AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class)
              FROM pg_catalog.pg_rewrite r
              JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND (n.nspname NOT LIKE 'pg\\_%' OR n.nspname LIKE 'pg\\_temp\\_%')""";

    private static final String SQL_STANDARD_BODY =
            "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_functiondef(p.oid) ELSE p.prosrc END";

    // every user function (temporary ones too) but those of extensions on PURE_EXTENSIONS and the constructors
    // CREATE TYPE ... AS RANGE makes (built-in C code computing on its arguments, like a built-in, bound to its
    // type by an internal dependency no CREATE FUNCTION can make) of a range whose subtype_diff and canonical
    // functions are built-ins too (a user's subtype_diff is handed the bounds by a GiST index over the range, so
    // such a range's constructor stays as opaque as any function Warden cannot read): its language, its body (an
    // SQL-standard body has an empty prosrc: its deparsed definition instead) and, for an aggregate, the functions
    // it runs
    private static final String PG_USER_FUNCTIONS = """
            SELECT p.oid, n.nspname, p.proname, l.lanname, p.prokind::text,
                   {body},
                   ARRAY(SELECT f FROM pg_catalog.pg_aggregate a,
                           unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn,
                                        a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn]::oid[]) f
                          WHERE a.aggfnoid = p.oid AND f <> 0)
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
              JOIN pg_catalog.pg_language l ON l.oid = p.prolang
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND (n.nspname NOT LIKE 'pg\\_%' OR n.nspname LIKE 'pg\\_temp\\_%')
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                               WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                 AND d.deptype = 'e' AND e.extname = ANY (?))
               AND NOT (l.lanname = 'internal'
                        AND p.prosrc IN ('range_constructor2', 'range_constructor3', 'multirange_constructor0',
                                         'multirange_constructor1', 'multirange_constructor2')
                        AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                     WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                       AND d.refclassid = 'pg_catalog.pg_type'::regclass AND d.deptype = 'i'
                                       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_range r
                                                        JOIN pg_catalog.pg_proc sf
                                                          ON sf.oid IN (r.rngsubdiff, r.rngcanonical)
                                                       WHERE d.refobjid IN (r.rngtypid, r.rngmultitypid)
                                                         AND sf.pronamespace <> 'pg_catalog'::regnamespace)))"""
                .replace("{body}", SQL_STANDARD_BODY);
    private static final String PG_USER_TRIGGERS = """
            SELECT tg.tgfoid, n.nspname, c.relname, tg.tgname
              FROM pg_catalog.pg_trigger tg
              JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE NOT tg.tgisinternal""";

    // tables whose column defaults (generated columns too), constraints or index expressions run a user function
    private static final String PG_TABLE_EXPRESSIONS = """
            SELECT d.refobjid, n.nspname, c.relname,
                   CASE d.classid WHEN 'pg_catalog.pg_attrdef'::regclass THEN 'column default'
                                  WHEN 'pg_catalog.pg_constraint'::regclass THEN 'constraint'
                                  ELSE 'index expression' END
              FROM pg_catalog.pg_depend d
              LEFT JOIN pg_catalog.pg_attrdef ad ON d.classid = 'pg_catalog.pg_attrdef'::regclass AND ad.oid = d.objid
              LEFT JOIN pg_catalog.pg_constraint co ON d.classid = 'pg_catalog.pg_constraint'::regclass
                                                   AND co.oid = d.objid
              LEFT JOIN pg_catalog.pg_index ix ON d.classid = 'pg_catalog.pg_class'::regclass AND ix.indexrelid = d.objid
              JOIN pg_catalog.pg_class c ON c.oid = coalesce(ad.adrelid, co.conrelid, ix.indrelid)
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE d.refclassid = 'pg_catalog.pg_proc'::regclass
               AND d.classid IN ('pg_catalog.pg_attrdef'::regclass, 'pg_catalog.pg_constraint'::regclass,
                                 'pg_catalog.pg_class'::regclass)""";

    // user operators and casts, with the function each runs: calling them calls it without naming it
    private static final String PG_USER_OPERATORS_AND_CASTS = """
            SELECT o.oprcode::oid, 'o', o.oprname, n.nspname
              FROM pg_catalog.pg_operator o
              JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND o.oprcode <> 0
            UNION ALL
            SELECT c.castfunc, 'c', t.typname, n.nspname
              FROM pg_catalog.pg_cast c
              JOIN pg_catalog.pg_type t ON t.oid = c.casttarget
              JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
             WHERE c.castfunc <> 0""";

    // user functions and aggregates named like a function of pg_catalog, and every user operator (but those of
    // extensions on PURE_EXTENSIONS, and extensions' operators on their own types only): the server may resolve a
    // built-in's name, or an operator symbol, to them
    private static final String PG_SHADOWING = """
            SELECT 'f', n.nspname, p.proname
              FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND (n.nspname NOT LIKE 'pg\\_%' OR n.nspname LIKE 'pg\\_temp\\_%')
               AND EXISTS (SELECT 1 FROM pg_catalog.pg_proc b
                            WHERE b.pronamespace = 'pg_catalog'::regnamespace AND b.proname = p.proname)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                               WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                 AND d.deptype = 'e' AND e.extname = ANY (?))
            UNION ALL
            SELECT 'o', n.nspname, o.oprname
              FROM pg_catalog.pg_operator o
              JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND (n.nspname NOT LIKE 'pg\\_%' OR n.nspname LIKE 'pg\\_temp\\_%')
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                               WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid
                                 AND d.deptype = 'e' AND e.extname = ANY (?))
               -- an extension's operator on its own types only (PostGIS's = on geometry) is never handed a value
               -- of a built-in type; an operator anyone created, or one on a built-in type, may be
               AND (NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                 WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid
                                   AND d.deptype = 'e')
                    OR EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                                WHERE t.oid IN (o.oprleft, o.oprright)
                                  AND t.typnamespace = 'pg_catalog'::regnamespace))""";

    /**
     * User overloads of the built-ins the engine lets the server apply to a protected column without seeing the
     * result: the operators {@code =} and {@code <>} (also behind IN, joins and ON CONFLICT), the aggregate
     * {@code count}, and implicit or assignment casts (applied where a parameter's type differs from the
     * column's). PostgreSQL picks among same-named functions by argument types, not by schema, so
     * {@code CREATE OPERATOR = (LEFTARG = text, RIGHTARG = int, ...)} or {@code CREATE AGGREGATE count(text)}
     * makes {@code hkid = ?} (with an int) or {@code count(hkid)} run the user's function over every stored
     * value: a plaintext rules-only value copied out to a role that may not read it. This query qualifies every
     * operator and function it uses, so that such an overload cannot answer it. Extensions on
     * {@link #PURE_EXTENSIONS} (citext's {@code =}...) are judged like built-ins.
     */
    private static final String PG_OVERLOADS = """
            SELECT 'operator ' OPERATOR(pg_catalog.||) n.nspname OPERATOR(pg_catalog.||) '.'
                   OPERATOR(pg_catalog.||) o.oprname::pg_catalog.text
              FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) o.oprnamespace
             WHERE n.nspname::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::pg_catalog.text[])
               AND o.oprname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (ARRAY['=', '<>']::pg_catalog.text[])
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e
                                 ON e.oid OPERATOR(pg_catalog.=) d.refobjid
                               WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
                                 AND d.objid OPERATOR(pg_catalog.=) o.oid
                                 AND e.extname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (?::pg_catalog.text[]))
            UNION ALL
            SELECT 'function ' OPERATOR(pg_catalog.||) n.nspname OPERATOR(pg_catalog.||) '.'
                   OPERATOR(pg_catalog.||) p.proname::pg_catalog.text
              FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
             WHERE n.nspname::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::pg_catalog.text[])
               AND p.proname::pg_catalog.text OPERATOR(pg_catalog.=) 'count'
            UNION ALL
            SELECT 'cast to ' OPERATOR(pg_catalog.||) pg_catalog.format_type(c.casttarget, NULL)
                   OPERATOR(pg_catalog.||) ' (function ' OPERATOR(pg_catalog.||) n.nspname OPERATOR(pg_catalog.||) '.'
                   OPERATOR(pg_catalog.||) p.proname::pg_catalog.text OPERATOR(pg_catalog.||) ')'
              FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) c.castfunc
              JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
             WHERE n.nspname::pg_catalog.text OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::pg_catalog.text[])
               AND c.castcontext::pg_catalog.text OPERATOR(pg_catalog.=) ANY (ARRAY['i', 'a']::pg_catalog.text[])
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e
                                 ON e.oid OPERATOR(pg_catalog.=) d.refobjid
                               WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                                 AND d.objid OPERATOR(pg_catalog.=) p.oid
                                 AND e.extname::pg_catalog.text OPERATOR(pg_catalog.=) ANY (?::pg_catalog.text[]))
             LIMIT 1""";

    /** The first {@linkplain #PG_OVERLOADS overload} found, described, or null. */
    private static String overload(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(PG_OVERLOADS)) {
            Array pure = connection.createArrayOf("text", PURE_EXTENSIONS);
            ps.setArray(1, pure);
            ps.setArray(2, pure);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Extensions whose functions compute on their arguments only (no table named by a string, no file, no other
     * connection): judged like built-ins, so that {@code uuid_generate_v4()} or {@code crypt()} keep working. Any
     * other extension's functions (dblink, postgres_fdw, pageinspect, tablefunc's crosstab, adminpack, PostGIS...)
     * are judged like the DBA's own: a C function is opaque, and refused unless the policy trusts it.
     */
    static final String[] PURE_EXTENSIONS = {"pgcrypto", "uuid-ossp", "pg_trgm", "citext", "hstore", "fuzzystrmatch",
            "unaccent", "intarray", "ltree", "cube", "earthdistance", "isn", "seg", "btree_gin", "btree_gist",
            "tsm_system_rows", "tsm_system_time", "plpgsql"};

    /**
     * Words of a function body that let it send values out of the row it was given: writes to other tables,
     * notifications, session settings and advisory locks (readable by the session afterwards), logical messages,
     * dynamic SQL and COPY; and every {@link RefusedBuiltins refused built-in} (large objects among them, see
     * {@code ownOutlet}). Bodies are matched as whole words, string contents included.
     */
    static final Set<String> OUTLET_WORDS = Set.of("insert", "update", "delete", "merge", "notify", "pg_notify",
            "set_config", "copy", "execute", "pg_logical_emit_message", "pg_advisory_lock", "pg_advisory_xact_lock", "pg_try_advisory_lock", "pg_try_advisory_xact_lock",
            "pg_advisory_lock_shared", "pg_advisory_xact_lock_shared", "pg_try_advisory_lock_shared",
            "pg_try_advisory_xact_lock_shared", "dblink", "dblink_exec", "dblink_send_query");

    /** Languages whose bodies Warden reads (for table names, function names and EXECUTE). */
    private static final Set<String> READABLE_LANGUAGES = Set.of("sql", "plpgsql");

    private final Policy policy;
    private final String[] protectedTables;  // "schema.table", or "*.table" for a policy table of any schema
    private final boolean rulesOnlyColumns;
    private volatile Snapshot snapshot;       // null: not read yet, or invalidated

    /** True when this judges the objects over {@code policy}'s protected tables. */
    boolean isFor(Policy policy) {
        return this.policy == policy;
    }

    ServerSideObjects(Policy policy) {
        this.policy = policy;
        this.rulesOnlyColumns = policy.hasRulesOnlyColumns();
        Set<String> tables = new LinkedHashSet<>();
        for (ColumnRule rule : policy.columns()) {
            tables.add((rule.schema() == null ? "*" : rule.schema()) + "." + rule.table());
        }
        this.protectedTables = tables.toArray(String[]::new);
    }

    /**
     * The current reading, read through {@code connection} when there is none or it is stale. {@code changed}
     * runs when a re-reading differs from the previous one.
     */
    Snapshot current(Connection connection, Runnable changed) {
        Snapshot current = snapshot;
        if (current == Snapshot.NONE
                || current != null && System.nanoTime() - current.readAtNanos() < REFRESH_NANOS) {
            return current;
        }
        Snapshot fresh;
        try {
            fresh = read(connection);
        } catch (SQLException e) {
            // e.g. the application's transaction has failed: its own statement fails anyway; keep what we
            // knew and read again with the next statement
            return current != null ? current : Snapshot.NONE;
        }
        snapshot = fresh;
        if (current != null && !sameObjects(current, fresh)) changed.run();
        return fresh;
    }

    void invalidate() {
        snapshot = null;
    }

    private static boolean sameObjects(Snapshot a, Snapshot b) {
        return java.util.Objects.equals(a.overload(), b.overload())
                && a.relations().equals(b.relations()) && a.triggerTables().equals(b.triggerTables())
                && a.functions().equals(b.functions()) && a.operators().equals(b.operators())
                && a.temporary().equals(b.temporary()) && a.shadowing().equals(b.shadowing());
    }

    private Snapshot read(Connection connection) throws SQLException {
        if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
            return Snapshot.NONE;
        }
        Set<String> words = new LinkedHashSet<>();
        Map<String, String> relations = new HashMap<>();
        Map<String, Map<String, String>> temporaryRelations = new HashMap<>();
        Map<String, Map<String, String>> temporaryTriggerTables = new HashMap<>();
        Map<String, String> relatives = new HashMap<>();  // inheritance relatives by bare lower-case name
        try (PreparedStatement ps = connection.prepareStatement(PG_DEPENDENT_RELATIONS)) {
            Array tables = connection.createArrayOf("text", protectedTables);
            ps.setArray(1, tables);
            ps.setArray(2, tables);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1) + "." + rs.getString(2);
                    String relative = rs.getString(5);
                    String description;
                    if (relative != null) {
                        // its rows are the protected table's, or the protected table's rows are its own
                        description = "table " + name + " (" + relative + " " + rs.getString(4) + ")";
                        relatives.putIfAbsent(rs.getString(2).toLowerCase(Locale.ROOT), description);
                    } else {
                        String kind = switch (rs.getString(3)) {
                            case "v" -> "view";
                            case "m" -> "materialized view";
                            default -> "table with a rule";
                        };
                        description = kind + " " + name + " (over " + rs.getString(4) + ")";
                    }
                    put(relations, temporaryRelations, words, rs.getString(1), rs.getString(2), description);
                }
            }
        }
        Map<Long, String> outlets = new HashMap<>();
        Map<Long, String> reachingFunctions = reachingFunctions(connection, relations, relatives, temporaryRelations,
                words, outlets);
        Map<String, String> functions = new HashMap<>();
        for (String description : reachingFunctions.values()) {
            // looked up by the bare word the lexer saw, whatever schema the statement names
            String word = description.substring(description.indexOf('.') + 1, description.indexOf("()"))
                    .toLowerCase(Locale.ROOT);
            functions.merge(word, description, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            words.add(word);
        }
        Map<String, String> triggerTables = new HashMap<>();
        if (!reachingFunctions.isEmpty() || !outlets.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(PG_USER_TRIGGERS);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (outletOfProtected(triggerTables, temporaryTriggerTables, words, rs.getString(2), rs.getString(3),
                            "trigger " + rs.getString(4), outlets.get(rs.getLong(1)))) continue;
                    String function = reachingFunctions.get(rs.getLong(1));
                    // a trigger on a protected table itself only sees what Warden wrote (see outletOfProtected)
                    if (function == null || policy.protectsTable(rs.getString(2), rs.getString(3))) continue;
                    put(triggerTables, temporaryTriggerTables, words, rs.getString(2), rs.getString(3), "table " + rs.getString(2) + "."
                            + rs.getString(3) + " (its trigger " + rs.getString(4) + " runs " + function + ")");
                }
            }
        }
        Map<String, String> operators = new HashMap<>();
        if (!reachingFunctions.isEmpty() || !outlets.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(PG_TABLE_EXPRESSIONS);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (outletOfProtected(triggerTables, temporaryTriggerTables, words, rs.getString(2), rs.getString(3), rs.getString(4),
                            outlets.get(rs.getLong(1)))) continue;
                    String function = reachingFunctions.get(rs.getLong(1));
                    // as for triggers: on a protected table itself, it only sees what Warden wrote
                    if (function == null || policy.protectsTable(rs.getString(2), rs.getString(3))) continue;
                    put(triggerTables, temporaryTriggerTables, words, rs.getString(2), rs.getString(3), "table " + rs.getString(2) + "."
                            + rs.getString(3) + " (its " + rs.getString(4) + " runs " + function + ")");
                }
            }
        }
        if (!reachingFunctions.isEmpty()) {
            try (PreparedStatement ps = connection.prepareStatement(PG_USER_OPERATORS_AND_CASTS);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String function = reachingFunctions.get(rs.getLong(1));
                    if (function == null) continue;
                    if ("o".equals(rs.getString(2))) {
                        operators.putIfAbsent(rs.getString(3), "operator " + rs.getString(4) + "." + rs.getString(3)
                                + " (runs " + function + ")");
                    } else {
                        // a cast is run where its target type is named (x::type, CAST(x AS type))
                        String word = rs.getString(3).toLowerCase(Locale.ROOT);
                        functions.putIfAbsent(word, "cast to type " + rs.getString(4) + "." + rs.getString(3)
                                + " (runs " + function + ")");
                        words.add(word);
                    }
                }
            }
        }
        Map<String, Snapshot> temporary = new HashMap<>();
        Set<String> temporarySchemas = new LinkedHashSet<>(temporaryRelations.keySet());
        temporarySchemas.addAll(temporaryTriggerTables.keySet());
        for (String schema : temporarySchemas) {
            temporary.put(schema, new Snapshot(Set.of(), Map.copyOf(temporaryRelations.getOrDefault(schema, Map.of())),
                    Map.copyOf(temporaryTriggerTables.getOrDefault(schema, Map.of())), Map.of(), Map.of(), Map.of(), null,
                    Map.of(), 0));
        }
        return new Snapshot(Set.copyOf(words), Map.copyOf(relations), Map.copyOf(triggerTables),
                Map.copyOf(functions), Map.copyOf(operators), Map.copyOf(temporary), overload(connection),
                shadowing(connection), System.nanoTime());
    }

    /**
     * Records a protected table with rules-only columns whose {@code what} (a trigger, a column default...) runs a
     * function with an {@code outlet}, as a trigger table: a write to it is refused. True when recorded.
     */
    private boolean outletOfProtected(Map<String, String> triggerTables,
                                      Map<String, Map<String, String>> temporaryTriggerTables, Set<String> words,
                                      String schema, String table, String what, String outlet) {
        if (outlet == null || !policy.protectsTable(schema, table) || !hasRulesOnlyColumn(schema, table)) return false;
        put(triggerTables, temporaryTriggerTables, words, schema, table, "protected table " + schema + "." + table + " (its " + what
                + " is given the plaintext of its rules-only columns and " + outlet + ")");
        return true;
    }

    private boolean hasRulesOnlyColumn(String schema, String table) {
        for (ColumnRule rule : policy.columns()) {
            if (rule.encryption() == dev.warden.policy.Encryption.NONE && rule.table().equalsIgnoreCase(table)
                    && (rule.schema() == null || rule.schema().equalsIgnoreCase(schema))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The user functions named like a built-in (by lower-case name) and the user operators (by symbol), each with
     * its description; functions the policy trusts are left out.
     */
    private Map<String, String> shadowing(Connection connection) throws SQLException {
        Map<String, String> shadowing = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_SHADOWING)) {
            Array pure = connection.createArrayOf("text", PURE_EXTENSIONS);
            ps.setArray(1, pure);
            ps.setArray(2, pure);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(2);
                    String name = rs.getString(3);
                    if ("f".equals(rs.getString(1))) {
                        if (policy.trustedFunctions().containsKey(key(schema, name))) continue;
                        shadowing.putIfAbsent(name.toLowerCase(Locale.ROOT), "function " + schema + "." + name
                                + "() shadows the built-in " + name + "()");
                    } else {
                        shadowing.putIfAbsent(name, "operator " + schema + "." + name);
                    }
                }
            }
        }
        return Map.copyOf(shadowing);
    }

    /** A user function or rule-bearing relation, as read from the catalog, for the fixpoint below. */
    private static final class Node {
        final String name;               // "function public.f()" or "view public.v"
        final String word;               // bare lower-case name, as statements and bodies spell it
        final Set<String> bodyWords;     // every word of its body or definition (string contents included)
        final long[] calls;              // oids of functions it runs (pg_depend, or an aggregate's support functions)
        final long[] over;               // oids of relations it reads (views only)
        String reach;                    // null: not (yet) known to reach anything
        String outlet;                   // null: not (yet) known to send values out (see OUTLET_WORDS)

        Node(String name, String word, Set<String> bodyWords, long[] calls, long[] over) {
            this.name = name;
            this.word = word;
            this.bodyWords = bodyWords;
            this.calls = calls;
            this.over = over;
        }
    }

    /**
     * The user functions that reach a protected table or may reach any table, by oid, each with its description
     * ("function public.f() names customers", "... runs dynamic SQL (EXECUTE)", "... calls function public.g()").
     * A function reaches when its body names a protected table or a relation in {@code relations}, runs dynamic
     * SQL, is written in a language Warden does not read, calls a refused built-in, or calls (by name) a function
     * that reaches; views calling such functions join {@code relations}; repeated until nothing changes.
     * Functions the policy trusts never reach. Adds the names of views found here to {@code words}.
     */
    private Map<Long, String> reachingFunctions(Connection connection, Map<String, String> relations,
                                                Map<String, String> relatives,
                                                Map<String, Map<String, String>> temporaryRelations, Set<String> words,
                                                Map<Long, String> outlets) throws SQLException {
        Map<Long, Node> functions = new HashMap<>();
        // SQL-standard bodies (prosqlbody) exist from PostgreSQL 14 on
        String query = connection.getMetaData().getDatabaseMajorVersion() >= 14 ? PG_USER_FUNCTIONS
                : PG_USER_FUNCTIONS.replace(SQL_STANDARD_BODY, "p.prosrc");
        try (PreparedStatement ps = connection.prepareStatement(query)) {
            ps.setArray(1, connection.createArrayOf("text", PURE_EXTENSIONS));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(2);
                    String name = rs.getString(3);
                    if (policy.trustedFunctions().containsKey(key(schema, name))) continue;
                    String language = rs.getString(4);
                    boolean aggregate = "a".equals(rs.getString(5));
                    Set<String> body = SqlLexer.lex(rs.getString(6) == null ? "" : rs.getString(6)).words();
                    Node node = new Node("function " + schema + "." + name + "()", name.toLowerCase(Locale.ROOT),
                            body, oids(rs.getArray(7)), new long[0]);
                    if (!aggregate) node.reach = ownReach(node.name, language, body, relatives);
                    // outlet words are looked for outside string literals: IF TG_OP = 'UPDATE' writes nothing
                    if (!aggregate) node.outlet = ownOutlet(node.name, language, rs.getString(6) == null ? Set.of()
                            : SqlLexer.lex(SqlLexer.lex(rs.getString(6)).normalized()).words());
                    functions.put(rs.getLong(1), node);
                }
            }
        }
        Map<Long, Node> views = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_USER_RULES);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String kind = switch (rs.getString(4)) {
                    case "v" -> "view";
                    case "m" -> "materialized view";
                    default -> "table with a rule";
                };
                String schema = rs.getString(2);
                String name = rs.getString(3);
                Node node = views.computeIfAbsent(rs.getLong(1), oid -> new Node(kind + " " + schema + "." + name,
                        name.toLowerCase(Locale.ROOT), new java.util.HashSet<>(), null, null));
                Node rule = new Node(node.name, node.word, SqlLexer.lex(rs.getString(5) == null ? "" : rs.getString(5))
                        .words(), oids(rs.getArray(6)), oids(rs.getArray(7)));
                node.bodyWords.addAll(rule.bodyWords);
                views.put(rs.getLong(1), merge(node, rule));
                String known = relations.get(key(schema, name));
                if (known != null) views.get(rs.getLong(1)).reach = known;
            }
        }
        for (Node view : views.values()) {
            if (view.reach != null) continue;
            String builtin = RefusedBuiltins.firstIn(view.bodyWords, rulesOnlyColumns);
            if (builtin != null) view.reach = view.name + " (calls built-in " + builtin + ")";
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<String, Node> reachedByWord = new HashMap<>();
            for (Node f : functions.values()) if (f.reach != null) reachedByWord.putIfAbsent(f.word, f);
            for (Node v : views.values()) if (v.reach != null) reachedByWord.putIfAbsent(v.word, v);
            for (Node f : functions.values()) {
                if (f.reach != null) continue;
                Node via = null;
                for (long oid : f.calls) {
                    Node g = functions.get(oid);
                    if (g != null && g.reach != null) via = g;
                }
                for (String word : f.bodyWords) {
                    if (via != null) break;
                    Node g = reachedByWord.get(word);
                    if (g != null && g != f) via = g;
                }
                if (via != null) {
                    f.reach = f.name + " calls " + via.name;
                    changed = true;
                }
            }
            for (Node v : views.values()) {
                if (v.reach != null) continue;
                Node via = null;
                for (long oid : v.calls) {
                    Node g = functions.get(oid);
                    if (g != null && g.reach != null) via = g;
                }
                for (long oid : v.over) {
                    Node w = views.get(oid);
                    if (via == null && w != null && w.reach != null) via = w;
                }
                if (via != null) {
                    v.reach = v.name + " (through " + via.name + ")";
                    changed = true;
                }
            }
        }
        for (Map.Entry<Long, Node> e : views.entrySet()) {
            Node v = e.getValue();
            if (v.reach == null) continue;
            String[] qualified = v.name.substring(v.name.lastIndexOf(' ') + 1).split("\\.", 2);
            put(relations, temporaryRelations, words, qualified[0], qualified[1], v.reach);
        }
        // outlets, to a fixpoint over calls (by oid, and by name as for reach)
        changed = true;
        while (changed) {
            changed = false;
            Map<String, Node> outletByWord = new HashMap<>();
            for (Node f : functions.values()) if (f.outlet != null) outletByWord.putIfAbsent(f.word, f);
            for (Node f : functions.values()) {
                if (f.outlet != null) continue;
                Node via = null;
                for (long oid : f.calls) {
                    Node g = functions.get(oid);
                    if (g != null && g.outlet != null) via = g;
                }
                for (String word : f.bodyWords) {
                    if (via != null) break;
                    Node g = outletByWord.get(word);
                    if (g != null && g != f) via = g;
                }
                if (via != null) {
                    f.outlet = f.name + " calls " + via.name;
                    changed = true;
                }
            }
        }
        for (Map.Entry<Long, Node> e : functions.entrySet()) {
            if (e.getValue().outlet != null) outlets.put(e.getKey(), e.getValue().outlet);
        }
        Map<Long, String> reaching = new HashMap<>();
        for (Map.Entry<Long, Node> e : functions.entrySet()) {
            if (e.getValue().reach != null) reaching.put(e.getKey(), e.getValue().reach);
        }
        return reaching;
    }

    private static Node merge(Node into, Node rule) {
        long[] calls = into.calls == null ? rule.calls : concat(into.calls, rule.calls);
        long[] over = into.over == null ? rule.over : concat(into.over, rule.over);
        Node merged = new Node(into.name, into.word, into.bodyWords, calls, over);
        merged.reach = into.reach;
        merged.outlet = into.outlet;
        return merged;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static long[] oids(Array array) throws SQLException {
        if (array == null) return new long[0];
        Object[] values = (Object[]) array.getArray();
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) out[i] = ((Number) values[i]).longValue();
        return out;
    }

    /**
     * Why a function's own body (not what it calls) may reach a protected table or any table, or null: another
     * language, dynamic SQL, a refused built-in, or a protected table's name.
     */
    private String ownReach(String name, String language, Set<String> body, Map<String, String> relatives) {
        if (!READABLE_LANGUAGES.contains(language)) {
            return name + " is written in " + language + ", which Warden cannot read, so it may reach any table";
        }
        if (body.contains("execute")) {
            return name + " runs dynamic SQL (EXECUTE), so it may reach any table";
        }
        String builtin = RefusedBuiltins.firstIn(body, rulesOnlyColumns);
        if (builtin != null) return name + " calls built-in " + builtin + ", so it may reach any table";
        if (body.contains("copy")) return name + " runs COPY, which may read or write server files";
        for (String table : policy.protectedTableNames()) {
            if (body.contains(table)) return name + " names " + table;
        }
        // a table sharing rows with a protected one (inheritance, partitions) reads or writes them by another name
        for (Map.Entry<String, String> relative : relatives.entrySet()) {
            if (body.contains(relative.getKey())) return name + " names " + relative.getValue();
        }
        return null;
    }

    /** How a function's own body may send the values it is given out of the row, or null (see OUTLET_WORDS). */
    private static String ownOutlet(String name, String language, Set<String> body) {
        if (!READABLE_LANGUAGES.contains(language)) {
            return name + " is written in " + language + ", which Warden cannot read";
        }
        for (String word : OUTLET_WORDS) {
            if (body.contains(word)) return name + " may send them elsewhere (" + word + ")";
        }
        // whatever Warden refuses in server code (large objects, remote connections, files...) takes values out of
        // Warden's view too: one list decides both, so a built-in newly allowed to clients (lowrite) stays an outlet
        String builtin = RefusedBuiltins.firstIn(body, true);
        if (builtin != null) return name + " may send them elsewhere (built-in " + builtin + ")";
        return null;
    }

    /**
     * A relation under "schema.name" and, for statements naming no schema, ".name" (first one found wins); one
     * in a temporary schema only among that schema's (also under "pg_temp.name"), see {@link Snapshot#forSession}.
     */
    private static void put(Map<String, String> byName, Map<String, Map<String, String>> temporary, Set<String> words,
                            String schema, String name, String description) {
        String lowerSchema = schema.toLowerCase(Locale.ROOT);
        if (lowerSchema.startsWith("pg_temp_")) {
            byName = temporary.computeIfAbsent(lowerSchema, s -> new HashMap<>());
            byName.putIfAbsent(key("pg_temp", name), description);
        }
        byName.putIfAbsent(key(schema, name), description);
        byName.putIfAbsent(key(null, name), description);
        words.add(name.toLowerCase(Locale.ROOT));
    }

    private static String key(String schema, String name) {
        return (schema == null ? "" : schema.toLowerCase(Locale.ROOT)) + "." + name.toLowerCase(Locale.ROOT);
    }
}

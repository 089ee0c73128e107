package dev.warden.engine;

import dev.warden.sql.Catalog;
import dev.warden.sql.TableName;
import dev.warden.sql.UniqueKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column lists and types of live relations, read from the database on first use and cached until a DDL
 * statement passes through the engine ({@link #invalidate()}). Thread-safe.
 *
 * <p>On PostgreSQL a shape is cached by the relation's oid, never by the name a session used for it: which
 * relation a name means depends on the session (its search_path, its temporary tables), so a name is first
 * resolved for the asking session's {@link SearchScope} and only the relation it resolved to is looked up.
 * For a {@link SearchScope.SearchPath} the resolution is computed here from the schema list itself, not from
 * the live search_path of whichever session asked first, so it can be shared by every session with that list;
 * for a session with temporary relations it is asked of that session's connection ({@link Recording}).
 * Elsewhere (H2) names are read through DatabaseMetaData.
 */
final class LiveCatalog {

    /**
     * A relation: its oid (0 off PostgreSQL), its schema-qualified name for messages, its columns in ordinal
     * order, each with its database type name (lower case), and the primary key's column when it has exactly
     * one (else null), for the audit trail's hashed row keys.
     */
    record TableInfo(long oid, String relation, List<String> columns, Map<String, String> typeNames,
                     String primaryKey) {}

    /** How one statement of one session sees tables: the analyzer's {@link Catalog}, and the shapes themselves. */
    interface Lookup extends Catalog {
        /** The relation {@code table} names for this session, or null when there is none (or it cannot be read). */
        TableInfo lookup(TableName table);

        /** False when a lookup failed (e.g. in a failed transaction): what was analysed with it is not cached. */
        boolean complete();

        /** The connection lookups read through; also for reads that are never cached (ON CONFLICT arbiters). */
        Connection connection();

        @Override
        default List<String> columns(TableName table) {
            TableInfo info = lookup(table);
            return info == null ? null : info.columns();
        }

        @Override
        default List<UniqueKey> uniqueKeys(TableName table) {
            TableInfo info = lookup(table);
            return info == null || info.oid() == 0 ? null : LiveCatalog.uniqueKeys(connection(), info.oid());
        }
    }

    /** What {@code current_schemas(true)} shows of one session (see {@link SearchScope}). */
    record ScopeReading(List<String> schemas, boolean temporaryRelations, String temporarySchema) {}

    private static final TableInfo UNKNOWN = new TableInfo(0, "", List.of(), Map.of(), null);
    // Every function, operator and type below is qualified with pg_catalog and every parameter cast to a
    // pg_catalog type: PostgreSQL picks among same-named functions and operators by argument types before schema,
    // so a user's to_regclass(varchar) or =(name, varchar) would otherwise answer Warden's own catalog reads
    // (found by review: a decoy column order made a protected column read as an unprotected one).
    private static final String PG_SCOPE = """
            SELECT pg_catalog.current_schemas(true)::pg_catalog.text[],
                   EXISTS (SELECT 1 FROM pg_catalog.pg_class
                            WHERE relnamespace OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema())""";
    // the first schema of the list holding a relation of that name, as the server's own lookup does
    private static final String PG_RESOLVE_IN = """
            SELECT c.oid::pg_catalog.int8
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
              JOIN pg_catalog.unnest(?::pg_catalog.text[]) WITH ORDINALITY AS s(nspname, i)
                ON s.nspname OPERATOR(pg_catalog.=) n.nspname::pg_catalog.text
             WHERE c.relname OPERATOR(pg_catalog.=) ?::pg_catalog.name
             ORDER BY s.i
             LIMIT 1""";
    // along the session's own search_path, temporary schema included
    private static final String PG_RESOLVE_LIVE = """
            SELECT COALESCE(pg_catalog.to_regclass(u.name)::pg_catalog.oid::pg_catalog.int8, 0)
              FROM pg_catalog.unnest(?::pg_catalog.text[]) WITH ORDINALITY AS u(name, i)
             ORDER BY u.i""";
    private static final String PG_PRIMARY_KEY = """
            SELECT a.attname
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                   AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey)
             WHERE i.indrelid OPERATOR(pg_catalog.=) ?::pg_catalog.oid AND i.indisprimary""";
    private static final String PG_COLUMNS = """
            SELECT a.attname, t.typname, n.nspname, c.relname
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
              JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
             WHERE a.attrelid OPERATOR(pg_catalog.=) ?::pg_catalog.oid
               AND a.attnum OPERATOR(pg_catalog.>) 0::pg_catalog.int2 AND NOT a.attisdropped
             ORDER BY a.attnum""";

    /**
     * Every unique index and exclusion constraint of a relation: its name (the constraint's, else the index's),
     * whether it is an exclusion constraint, its key columns in order, every column it depends on (expressions,
     * predicate), and its INCLUDE columns.
     */
    private static final String PG_UNIQUE_KEYS = """
            SELECT COALESCE(con.conname, ic.relname),
                   con.contype OPERATOR(pg_catalog.=) 'x'::pg_catalog."char",
                   ARRAY(SELECT a.attname
                           FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                          WHERE k.ord OPERATOR(pg_catalog.<=) i.indnkeyatts ORDER BY k.ord),
                   ARRAY(SELECT a.attname FROM pg_catalog.pg_depend d
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid
                                AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.objid OPERATOR(pg_catalog.=) i.indexrelid
                            AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                            AND d.refobjsubid OPERATOR(pg_catalog.>) 0::pg_catalog.int4),
                   ARRAY(SELECT a.attname
                           FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                          WHERE k.ord OPERATOR(pg_catalog.>) i.indnkeyatts)
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
              LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid
                   AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid
             WHERE i.indrelid OPERATOR(pg_catalog.=) ?::pg_catalog.oid
               AND (i.indisunique OR con.contype OPERATOR(pg_catalog.=) 'x'::pg_catalog."char")""";

    /** A name resolved along one schema list. */
    private record ScopedName(SearchScope.SearchPath path, TableName table) {}

    private final Map<Long, TableInfo> byOid = new ConcurrentHashMap<>();
    private final Map<ScopedName, Long> resolved = new ConcurrentHashMap<>();  // 0: no such relation
    private final Map<TableName, TableInfo> byName = new ConcurrentHashMap<>();  // databases other than PostgreSQL

    /** Tables as every session whose names resolve along {@code path} sees them, read through {@code connection}. */
    Lookup shared(SearchScope.SearchPath path, Connection connection) {
        return new Lookup() {
            private boolean complete = true;

            @Override
            public TableInfo lookup(TableName table) {
                try {
                    return found(path == SearchScope.SearchPath.ANY && !isPostgres(connection)
                            ? byName(connection, table) : byOid(connection, resolveIn(connection, path, table)));
                } catch (SQLException e) {
                    complete = false;  // unknown for this statement only: the analyzer refuses what it cannot place
                    return null;
                }
            }

            @Override
            public boolean complete() {
                return complete;
            }

            @Override
            public Connection connection() {
                return connection;
            }
        };
    }

    /**
     * Tables as one session with temporary relations sees them, each name resolved on its connection (once per
     * statement) and recorded: {@link Recording#relations()} is then the key under which what was derived from
     * them may be cached. {@code known}: names already resolved for this statement, or null.
     */
    Recording live(Connection connection, SearchScope.Relations known) {
        return new Recording(connection, known);
    }

    /** See {@link #live}. Not thread-safe: one per statement. */
    final class Recording implements Lookup {
        private final Connection connection;
        private final List<TableName> names = new ArrayList<>();
        private final List<Long> oids = new ArrayList<>();
        private boolean complete = true;

        private Recording(Connection connection, SearchScope.Relations known) {
            this.connection = connection;
            if (known != null) {
                names.addAll(known.names());
                for (long oid : known.oids()) oids.add(oid);
            }
        }

        @Override
        public TableInfo lookup(TableName table) {
            try {
                int at = names.indexOf(table);
                long oid;
                if (at >= 0) {
                    oid = oids.get(at);
                } else {
                    oid = resolveLive(connection, List.of(table))[0];
                    names.add(table);
                    oids.add(oid);
                }
                return found(byOid(connection, oid));
            } catch (SQLException e) {
                complete = false;
                return null;
            }
        }

        @Override
        public boolean complete() {
            return complete;
        }

        @Override
        public Connection connection() {
            return connection;
        }

        /** The names looked up so far and the relations they resolved to. */
        SearchScope.Relations relations() {
            return new SearchScope.Relations(names, oids.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /**
     * {@code table} as {@code connection}'s session sees it now (its own search_path and temporary tables), or
     * null: for a one-off reader of its own connection, such as re-encryption.
     */
    TableInfo lookupOnce(Connection connection, TableName table) throws SQLException {
        return isPostgres(connection) ? live(connection, null).lookup(table)
                : shared(SearchScope.SearchPath.ANY, connection).lookup(table);
    }

    /** The relations {@code names} resolve to on {@code connection} now (0: none), in one round trip. */
    long[] resolveLive(Connection connection, List<TableName> names) throws SQLException {
        long[] oids = new long[names.size()];
        if (names.isEmpty()) return oids;
        String[] regclasses = names.stream().map(LiveCatalog::regclass).toArray(String[]::new);
        try (PreparedStatement ps = connection.prepareStatement(PG_RESOLVE_LIVE)) {
            ps.setArray(1, connection.createArrayOf("text", regclasses));
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; i < oids.length && rs.next(); i++) oids[i] = rs.getLong(1);
            }
        }
        return oids;
    }

    /** The session's schema list and whether it has temporary relations; {@link SearchScope.SearchPath#ANY} off PostgreSQL. */
    static ScopeReading readScope(Connection connection) throws SQLException {
        if (!isPostgres(connection)) return new ScopeReading(List.of(), false, null);
        try (PreparedStatement ps = connection.prepareStatement(PG_SCOPE);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            Array array = rs.getArray(1);
            List<String> schemas = new ArrayList<>();
            String temporarySchema = null;
            for (Object schema : (Object[]) array.getArray()) {
                // the session's own temporary schema: empty when temporaryRelations is false, and named per backend
                if (((String) schema).startsWith("pg_temp_")) temporarySchema = (String) schema;
                else schemas.add((String) schema);
            }
            return new ScopeReading(List.copyOf(schemas), rs.getBoolean(2), temporarySchema);
        }
    }

    /**
     * The ON CONFLICT arbiters of the relation {@code oid}, read afresh (the analysis that asks is cached by
     * statement text and resolved relations, and only ON CONFLICT without a column list asks), or null when they
     * cannot be read: then such a statement is refused on protected tables. An exclusion constraint's columns
     * count as expression columns: it compares them with its own operators, not plain equality.
     */
    static List<UniqueKey> uniqueKeys(Connection connection, long oid) {
        List<UniqueKey> keys = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_UNIQUE_KEYS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> key = names(rs.getArray(3));
                    List<String> others = new ArrayList<>(names(rs.getArray(4)));
                    others.removeAll(key);
                    others.removeAll(names(rs.getArray(5)));
                    if (rs.getBoolean(2)) {
                        others.addAll(0, key);
                        key = List.of();
                    }
                    keys.add(new UniqueKey(rs.getString(1), key, others.stream().distinct().toList()));
                }
            }
            return keys;
        } catch (SQLException e) {
            return null;
        }
    }

    private static List<String> names(Array array) throws SQLException {
        if (array == null) return List.of();
        List<String> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) out.add(String.valueOf(o));
        return out;
    }

    void invalidate() {
        byOid.clear();
        resolved.clear();
        byName.clear();
    }

    private static TableInfo found(TableInfo info) {
        return info == UNKNOWN ? null : info;
    }

    private long resolveIn(Connection connection, SearchScope.SearchPath path, TableName table) throws SQLException {
        ScopedName key = new ScopedName(path, table);
        Long oid = resolved.get(key);
        if (oid != null) return oid;
        String[] schemas;
        if (table.schema() == null) {
            schemas = path.schemas().toArray(String[]::new);
        } else if (table.schema().startsWith("pg_temp")) {
            // the session's own temporary schema, which has no relation in a session resolved along a path
            schemas = new String[0];
        } else {
            schemas = new String[] {table.schema()};
        }
        long found = 0;
        if (schemas.length > 0) {
            try (PreparedStatement ps = connection.prepareStatement(PG_RESOLVE_IN)) {
                ps.setArray(1, connection.createArrayOf("text", schemas));
                ps.setString(2, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) found = rs.getLong(1);
                }
            }
        }
        resolved.put(key, found);
        return found;
    }

    private TableInfo byOid(Connection connection, long oid) throws SQLException {
        if (oid == 0) return UNKNOWN;
        TableInfo info = byOid.get(oid);
        if (info != null) return info;
        info = load(connection, oid);
        byOid.put(oid, info);
        return info;
    }

    private TableInfo byName(Connection connection, TableName table) throws SQLException {
        TableInfo info = byName.get(table);
        if (info != null) return info;
        info = loadByName(connection, table);
        byName.put(table, info);
        return info;
    }

    private static TableInfo load(Connection connection, long oid) throws SQLException {
        List<String> columns = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String relation = null;
        try (PreparedStatement ps = connection.prepareStatement(PG_COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(1);
                    columns.add(column);
                    types.put(column, rs.getString(2).toLowerCase(Locale.ROOT));
                    relation = rs.getString(3) + "." + rs.getString(4);
                }
            }
        }
        if (columns.isEmpty()) return UNKNOWN;
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_PRIMARY_KEY)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) key.add(rs.getString(1));
            }
        }
        return new TableInfo(oid, relation, List.copyOf(columns), Map.copyOf(types), key.size() == 1 ? key.get(0) : null);
    }

    private static TableInfo loadByName(Connection connection, TableName table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        String schema = table.schema();
        String name = table.name();
        if (meta.storesUpperCaseIdentifiers()) {  // H2 and others fold unquoted names the other way
            schema = schema == null ? null : schema.toUpperCase(Locale.ROOT);
            name = name.toUpperCase(Locale.ROOT);
        }
        List<String> columns = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String firstSchema = null;
        try (ResultSet rs = meta.getColumns(null, schema, name, null)) {
            while (rs.next()) {
                String columnSchema = rs.getString("TABLE_SCHEM");
                if (firstSchema == null) firstSchema = columnSchema;
                if (!java.util.Objects.equals(firstSchema, columnSchema)) continue;  // same name in several schemas
                String column = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
                columns.add(column);
                types.put(column, rs.getString("TYPE_NAME").toLowerCase(Locale.ROOT));
            }
        }
        return columns.isEmpty() ? UNKNOWN : new TableInfo(0, table.toString(), List.copyOf(columns),
                Map.copyOf(types), null);
    }

    static boolean isPostgres(Connection connection) throws SQLException {
        return "PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName());
    }

    static String regclass(TableName table) {
        return (table.schema() == null ? "" : quote(table.schema()) + ".") + quote(table.name());
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}

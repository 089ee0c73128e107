package dev.warden.engine;

import dev.warden.sql.Catalog;
import dev.warden.sql.TableName;
import dev.warden.sql.UniqueKey;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column lists and types of live tables, read from the database on first use and cached until a DDL
 * statement passes through the engine ({@link #invalidate()}). Thread-safe.
 *
 * <p>On PostgreSQL the lookup goes through {@code to_regclass}, so an unqualified name resolves along the
 * session's search_path exactly as the server will resolve it; elsewhere through DatabaseMetaData.
 */
final class LiveCatalog {

    /**
     * Columns in ordinal order, each with its database type name (lower case), and the primary key's column
     * when it has exactly one (else null), for the audit trail's hashed row keys.
     */
    record TableInfo(List<String> columns, Map<String, String> typeNames, String primaryKey) {}

    private static final TableInfo UNKNOWN = new TableInfo(List.of(), Map.of(), null);
    private static final String PG_PRIMARY_KEY = """
            SELECT a.attname
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                   AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey)
             WHERE i.indrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text) AND i.indisprimary""";
    private static final String PG_COLUMNS = """
            SELECT a.attname, t.typname
              FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
             WHERE a.attrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text)
               AND a.attnum OPERATOR(pg_catalog.>) 0::pg_catalog.int2 AND NOT a.attisdropped
             ORDER BY a.attnum""";

    private final Map<TableName, TableInfo> tables = new ConcurrentHashMap<>();

    /**
     * Every unique index and exclusion constraint of a table: its name (the constraint's, else the index's),
     * its key columns in order, its INCLUDE columns, and every column it depends on (expressions, predicate).
     */
    private static final String PG_UNIQUE_KEYS = """
            SELECT COALESCE(con.conname, ic.relname), con.contype OPERATOR(pg_catalog.=) 'x'::pg_catalog."char",
                   ARRAY(SELECT a.attname FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                          WHERE k.ord OPERATOR(pg_catalog.<=) i.indnkeyatts ORDER BY k.ord),
                   ARRAY(SELECT a.attname FROM pg_catalog.pg_depend d
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
                          WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid OPERATOR(pg_catalog.=) i.indexrelid
                            AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjsubid OPERATOR(pg_catalog.>) 0::pg_catalog.int4),
                   ARRAY(SELECT a.attname FROM pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k(attnum, ord)
                           JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                          WHERE k.ord OPERATOR(pg_catalog.>) i.indnkeyatts)
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class ic ON ic.oid OPERATOR(pg_catalog.=) i.indexrelid
              LEFT JOIN pg_catalog.pg_constraint con ON con.conindid OPERATOR(pg_catalog.=) i.indexrelid AND con.conrelid OPERATOR(pg_catalog.=) i.indrelid
             WHERE i.indrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(?::pg_catalog.text) AND (i.indisunique OR con.contype OPERATOR(pg_catalog.=) 'x'::pg_catalog."char")""";

    /** A view of this catalog bound to one connection, for one analysis. */
    Catalog on(Connection connection) {
        return new Catalog() {
            @Override
            public List<String> columns(TableName table) {
                TableInfo info = lookup(connection, table);
                return info == null ? null : info.columns();
            }

            @Override
            public List<UniqueKey> uniqueKeys(TableName table) {
                return LiveCatalog.uniqueKeys(connection, table);
            }
        };
    }

    /**
     * The ON CONFLICT arbiters of a table, read afresh (the analysis that asks is cached by statement text, and
     * only ON CONFLICT without a column list asks), or null when they cannot be read: then such a statement is
     * refused on protected tables. An exclusion constraint's columns count as expression columns: it compares
     * them with its own operators, not plain equality.
     */
    static List<UniqueKey> uniqueKeys(Connection connection, TableName table) {
        try {
            if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) return null;
            String regclass = (table.schema() == null ? "" : quote(table.schema()) + ".") + quote(table.name());
            List<UniqueKey> keys = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(PG_UNIQUE_KEYS)) {
                ps.setString(1, regclass);
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
            }
            return keys;
        } catch (SQLException e) {
            return null;
        }
    }

    private static List<String> names(java.sql.Array array) throws SQLException {
        if (array == null) return List.of();
        List<String> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) out.add(String.valueOf(o));
        return out;
    }

    /** The table's columns, or null when no such table or view exists (or it cannot be read). */
    TableInfo lookup(Connection connection, TableName table) {
        TableInfo info = tables.get(table);
        if (info == null) {
            try {
                if (table.schema() != null || !ambiguous(connection, table.name())) {
                    info = load(connection, table);
                } else {
                    return null;  // not cached: it is a fact about this session's name resolution, not the table
                }
            } catch (SQLException e) {
                info = UNKNOWN;  // unknown tables make the analyzer refuse what it cannot place
            }
            tables.put(table, info);
        }
        return info == UNKNOWN ? null : info;
    }

    /**
     * Relations sharing an unqualified name, across schemas, other sessions' temporary schemas left out (they are
     * invisible here): with more than one, the server resolves the name along each session's search_path (and a
     * temporary table shadows every schema), so one session's shape cached under the bare name would be applied
     * to another session's statements. A session that put {@code s2} first on its search_path would otherwise
     * cache {@code s2.customers}' column order, and {@code SELECT t.j FROM customers AS t(a, ..., j)} in any
     * session would be analysed against it while the server reads {@code public.customers}: a protected column
     * read as an unprotected one. An ambiguous bare name is therefore never resolved (the analyzer refuses what
     * it cannot place on a protected table; a schema-qualified name still works).
     */
    private static final String PG_SAME_NAME = """
            SELECT pg_catalog.count(*)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
             WHERE c.relname OPERATOR(pg_catalog.=) ?::pg_catalog.name
               AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'f']::pg_catalog."char"[])
               AND (NOT (n.nspname::pg_catalog.text OPERATOR(pg_catalog.~~) 'pg\\_temp\\_%')
                    OR n.oid OPERATOR(pg_catalog.=) pg_catalog.pg_my_temp_schema())""";

    /** Whether {@code table} is a bare name that several relations share (see {@link #PG_SAME_NAME}). */
    static boolean isAmbiguous(Connection connection, TableName table) {
        try {
            return table.schema() == null && ambiguous(connection, table.name());
        } catch (SQLException e) {
            return false;
        }
    }

    private static boolean ambiguous(Connection connection, String name) throws SQLException {
        if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) return false;
        try (PreparedStatement ps = connection.prepareStatement(PG_SAME_NAME)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) > 1;
            }
        }
    }

    void invalidate() {
        tables.clear();
    }

    private static TableInfo load(Connection connection, TableName table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        if ("PostgreSQL".equalsIgnoreCase(meta.getDatabaseProductName())) {
            String regclass = (table.schema() == null ? "" : quote(table.schema()) + ".") + quote(table.name());
            TableInfo info;
            try (PreparedStatement ps = connection.prepareStatement(PG_COLUMNS)) {
                ps.setString(1, regclass);
                info = collect(ps.executeQuery(), 1, 2);
            }
            if (info == UNKNOWN) return info;
            List<String> key = new ArrayList<>();
            try (PreparedStatement ps = connection.prepareStatement(PG_PRIMARY_KEY)) {
                ps.setString(1, regclass);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) key.add(rs.getString(1));
                }
            }
            return new TableInfo(info.columns(), info.typeNames(), key.size() == 1 ? key.get(0) : null);
        }
        String schema = table.schema();
        String name = table.name();
        if (meta.storesUpperCaseIdentifiers()) {  // H2 and others fold unquoted names the other way
            schema = schema == null ? null : schema.toUpperCase(java.util.Locale.ROOT);
            name = name.toUpperCase(java.util.Locale.ROOT);
        }
        try (ResultSet rs = meta.getColumns(null, schema, name, null)) {
            return collectMeta(rs);
        }
    }

    private static TableInfo collect(ResultSet rs, int nameColumn, int typeColumn) throws SQLException {
        List<String> columns = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        try (rs) {
            while (rs.next()) {
                String column = rs.getString(nameColumn);
                columns.add(column);
                types.put(column, rs.getString(typeColumn).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return columns.isEmpty() ? UNKNOWN : new TableInfo(List.copyOf(columns), Map.copyOf(types), null);
    }

    private static TableInfo collectMeta(ResultSet rs) throws SQLException {
        List<String> columns = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        String firstSchema = null;
        while (rs.next()) {
            String schema = rs.getString("TABLE_SCHEM");
            if (firstSchema == null) firstSchema = schema;
            if (!java.util.Objects.equals(firstSchema, schema)) continue;  // same name in several schemas
            String column = rs.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT);
            columns.add(column);
            types.put(column, rs.getString("TYPE_NAME").toLowerCase(java.util.Locale.ROOT));
        }
        return columns.isEmpty() ? UNKNOWN : new TableInfo(List.copyOf(columns), Map.copyOf(types), null);
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}

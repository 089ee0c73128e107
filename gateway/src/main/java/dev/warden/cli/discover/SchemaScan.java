package dev.warden.cli.discover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads from PostgreSQL's catalogs what {@code warden discover} needs of the live schema: the tables and their
 * columns with types, the estimated row counts, and which columns the application looks rows up by (a unique
 * constraint or primary key, an index, a foreign key either way). Reads no data. Not thread-safe; one per run.
 */
public final class SchemaScan {

    /** One table: its columns in order, with their types. */
    public record Table(String schema, String name, double estimatedRows, List<Column> columns) {}

    /** One column: {@code dataType} is information_schema's ({@code character varying}), {@code udt} the type's name. */
    public record Column(String name, String dataType, String udt) {
        /** Text-like: its values can be sampled and matched by the value detectors. */
        public boolean textLike() {
            return switch (dataType) {
                case "text", "character varying", "character" -> true;
                default -> "citext".equals(udt);
            };
        }
    }

    private static final String TABLES = """
            SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.udt_name,
                   coalesce(pc.reltuples, -1)::float8
              FROM information_schema.columns c
              JOIN information_schema.tables t USING (table_schema, table_name)
              LEFT JOIN pg_catalog.pg_class pc
                ON pc.oid = to_regclass(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))
             WHERE t.table_type = 'BASE TABLE'
               AND (c.table_schema = ? OR (? IS NULL AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
                    AND c.table_schema NOT LIKE 'pg\\_%'))
             ORDER BY c.table_schema, c.table_name, c.ordinal_position""";

    /** Each indexed column, and whether some index over it is unique (or the primary key). */
    private static final String INDEXED = """
            SELECT n.nspname, t.relname, a.attname, bool_or(ix.indisunique), bool_or(ix.indisprimary)
              FROM pg_catalog.pg_index ix
              JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (ix.indkey)
             GROUP BY 1, 2, 3""";

    /** Each column of a foreign key, on either side: rows are looked up by it when the tables are joined. */
    private static final String REFERENCED = """
            SELECT n.nspname, t.relname, a.attname
              FROM pg_catalog.pg_constraint co
              JOIN pg_catalog.pg_class t ON t.oid IN (co.conrelid, co.confrelid)
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
              JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid
                AND a.attnum = ANY (CASE WHEN t.oid = co.conrelid THEN co.conkey ELSE co.confkey END)
             WHERE co.contype = 'f'""";

    private final List<Table> tables;
    private final Map<String, String> lookups;

    private SchemaScan(List<Table> tables, Map<String, String> lookups) {
        this.tables = tables;
        this.lookups = lookups;
    }

    /** Reads the catalog of {@code schema} (null: every schema but the system's). */
    public static SchemaScan read(Connection connection, String schema) throws SQLException {
        Map<String, Table> tables = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(TABLES)) {
            ps.setString(1, schema);
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(1) + "." + rs.getString(2);
                    Table t = tables.get(key);
                    if (t == null) {
                        t = new Table(rs.getString(1), rs.getString(2), rs.getDouble(6), new ArrayList<>());
                        tables.put(key, t);
                    }
                    t.columns().add(new Column(rs.getString(3), rs.getString(4).toLowerCase(Locale.ROOT), rs.getString(5)));
                }
            }
        }
        Map<String, String> lookups = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(INDEXED); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String why = rs.getBoolean(5) ? "primary key" : rs.getBoolean(4) ? "unique index" : "indexed";
                lookups.merge(key(rs.getString(1), rs.getString(2), rs.getString(3)), why, SchemaScan::stronger);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(REFERENCED); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                lookups.merge(key(rs.getString(1), rs.getString(2), rs.getString(3)), "foreign key", SchemaScan::stronger);
            }
        }
        return new SchemaScan(List.copyOf(tables.values()), lookups);
    }

    public List<Table> tables() {
        return tables;
    }

    /** Why rows are looked up by this column ("unique index", "foreign key", ...), or null when they are not. */
    public String lookup(String schema, String table, String column) {
        return lookups.get(key(schema, table, column));
    }

    private static String stronger(String a, String b) {
        List<String> order = List.of("primary key", "unique index", "foreign key", "indexed");
        return order.indexOf(a) <= order.indexOf(b) ? a : b;
    }

    private static String key(String schema, String table, String column) {
        return schema + "\u0000" + table + "\u0000" + column;
    }
}

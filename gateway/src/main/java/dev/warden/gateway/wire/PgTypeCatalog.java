package dev.warden.gateway.wire;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Type names to OIDs and lengths, loaded once from {@code pg_type} through a backend connection and
 * reloaded (at most every few seconds) when a name is missing, e.g. after {@code CREATE TYPE}. Knows the
 * names JDBC drivers report that are not type names ({@code serial}, {@code bigserial}, ...). Thread-safe:
 * lookups read an immutable map published through a volatile field.
 */
public final class PgTypeCatalog {

    public static final int BOOL = 16, BYTEA = 17, CHAR = 18, NAME = 19, INT8 = 20, INT2 = 21, INT4 = 23,
            TEXT = 25, OID = 26, FLOAT4 = 700, FLOAT8 = 701, UNKNOWN = 705, BPCHAR = 1042, VARCHAR = 1043,
            DATE = 1082, TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, TIMETZ = 1266, NUMERIC = 1700,
            UUID = 2950, INT2_ARRAY = 1005, INT4_ARRAY = 1007, INT8_ARRAY = 1016, TEXT_ARRAY = 1009,
            VARCHAR_ARRAY = 1015, FLOAT4_ARRAY = 1021, FLOAT8_ARRAY = 1022;

    private record Entry(int oid, short length) {}

    private record Snapshot(Map<String, Entry> byName, Map<Integer, String> byOid) {}

    private volatile Snapshot snapshot;
    private volatile long loadedAt;

    /** Loads the catalog if not loaded yet. */
    public void ensureLoaded(Connection c) throws SQLException {
        if (snapshot == null) {
            load(c);
        }
    }

    private synchronized void load(Connection c) throws SQLException {
        Map<String, Entry> byName = new HashMap<>(1024);
        Map<Integer, String> byOid = new HashMap<>(1024);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select oid, typname, typlen from pg_catalog.pg_type")) {
            while (rs.next()) {
                Entry e = new Entry((int) rs.getLong(1), rs.getShort(3));
                String name = rs.getString(2);
                // the pg_catalog type wins over a user type of the same name in another schema
                if (!byName.containsKey(name) || e.oid < 10000) {
                    byName.put(name, e);
                }
                byOid.put(e.oid, name);
            }
        }
        alias(byName, "serial", "int4");
        alias(byName, "bigserial", "int8");
        alias(byName, "smallserial", "int2");
        snapshot = new Snapshot(Map.copyOf(byName), Map.copyOf(byOid));
        loadedAt = System.nanoTime();
    }

    private static void alias(Map<String, Entry> m, String alias, String target) {
        if (m.containsKey(target)) {
            m.put(alias, m.get(target));
        }
    }

    /** The OID of a type name as JDBC reports it; TEXT (25) when unknown, so it still reads as text. */
    public int oid(String typeName, Connection reloadWith) {
        Entry e = lookup(typeName, reloadWith);
        return e == null ? TEXT : e.oid;
    }

    /** pg_type.typlen of a type name, -1 when unknown. */
    public short length(String typeName) {
        Snapshot s = snapshot;
        Entry e = s == null ? null : s.byName.get(strip(typeName));
        return e == null ? -1 : e.length;
    }

    public String name(int oid) {
        Snapshot s = snapshot;
        return s == null ? null : s.byOid.get(oid);
    }

    private Entry lookup(String typeName, Connection reloadWith) {
        String name = strip(typeName);
        Snapshot s = snapshot;
        Entry e = s == null ? null : s.byName.get(name);
        if (e == null && reloadWith != null && System.nanoTime() - loadedAt > 5_000_000_000L) {
            try {
                load(reloadWith);
                e = snapshot.byName.get(name);
            } catch (SQLException ignored) {
                // fall back to text; the next unknown name retries after the back-off
                loadedAt = System.nanoTime();
            }
        }
        return e;
    }

    /** Drivers may quote or schema-qualify user types: "public"."mood" -> mood. */
    private static String strip(String typeName) {
        if (typeName == null) {
            return "";
        }
        int dot = typeName.lastIndexOf("\".\"");
        String n = dot >= 0 ? typeName.substring(dot + 2) : typeName;
        if (n.length() >= 2 && n.startsWith("\"") && n.endsWith("\"")) {
            n = n.substring(1, n.length() - 1);
        }
        return n;
    }
}

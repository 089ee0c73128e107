package dev.warden.gateway.wire;

import java.util.Map;

/**
 * The built-in PostgreSQL types the gateway encodes or decodes itself (binary formats, parameters), by OID,
 * and their type lengths. Built-in OIDs are fixed by PostgreSQL; types created in a database are never looked
 * up here: result and parameter types are described with the OIDs the backend reported
 * ({@link PgjdbcInternals}), so no cache of {@code pg_type} can go stale. Immutable and thread-safe.
 */
public final class PgTypeCatalog {

    public static final int BOOL = 16, BYTEA = 17, CHAR = 18, NAME = 19, INT8 = 20, INT2 = 21, INT4 = 23,
            TEXT = 25, OID = 26, FLOAT4 = 700, FLOAT8 = 701, UNKNOWN = 705, BPCHAR = 1042, VARCHAR = 1043,
            DATE = 1082, TIME = 1083, TIMESTAMP = 1114, TIMESTAMPTZ = 1184, TIMETZ = 1266, NUMERIC = 1700,
            UUID = 2950, INT2_ARRAY = 1005, INT4_ARRAY = 1007, INT8_ARRAY = 1016, TEXT_ARRAY = 1009,
            VARCHAR_ARRAY = 1015, FLOAT4_ARRAY = 1021, FLOAT8_ARRAY = 1022, NUMERIC_ARRAY = 1231;

    /** A built-in type's OID and {@code pg_type.typlen}. */
    public record Builtin(int oid, short length) {}

    private static final Builtin TEXT_TYPE = new Builtin(TEXT, (short) -1);

    private static final Map<String, Builtin> BY_NAME = Map.ofEntries(
            Map.entry("bool", new Builtin(BOOL, (short) 1)), Map.entry("bytea", new Builtin(BYTEA, (short) -1)),
            Map.entry("char", new Builtin(CHAR, (short) 1)), Map.entry("name", new Builtin(NAME, (short) 64)),
            Map.entry("int8", new Builtin(INT8, (short) 8)), Map.entry("bigserial", new Builtin(INT8, (short) 8)),
            Map.entry("int2", new Builtin(INT2, (short) 2)), Map.entry("smallserial", new Builtin(INT2, (short) 2)),
            Map.entry("int4", new Builtin(INT4, (short) 4)), Map.entry("serial", new Builtin(INT4, (short) 4)),
            Map.entry("text", TEXT_TYPE), Map.entry("oid", new Builtin(OID, (short) 4)),
            Map.entry("float4", new Builtin(FLOAT4, (short) 4)), Map.entry("float8", new Builtin(FLOAT8, (short) 8)),
            Map.entry("unknown", new Builtin(UNKNOWN, (short) -2)), Map.entry("bpchar", new Builtin(BPCHAR, (short) -1)),
            Map.entry("varchar", new Builtin(VARCHAR, (short) -1)), Map.entry("date", new Builtin(DATE, (short) 4)),
            Map.entry("time", new Builtin(TIME, (short) 8)), Map.entry("timestamp", new Builtin(TIMESTAMP, (short) 8)),
            Map.entry("timestamptz", new Builtin(TIMESTAMPTZ, (short) 8)),
            Map.entry("timetz", new Builtin(TIMETZ, (short) 12)), Map.entry("numeric", new Builtin(NUMERIC, (short) -1)),
            Map.entry("uuid", new Builtin(UUID, (short) 16)), Map.entry("_int2", new Builtin(INT2_ARRAY, (short) -1)),
            Map.entry("_int4", new Builtin(INT4_ARRAY, (short) -1)), Map.entry("_int8", new Builtin(INT8_ARRAY, (short) -1)),
            Map.entry("_text", new Builtin(TEXT_ARRAY, (short) -1)),
            Map.entry("_varchar", new Builtin(VARCHAR_ARRAY, (short) -1)),
            Map.entry("_float4", new Builtin(FLOAT4_ARRAY, (short) -1)),
            Map.entry("_float8", new Builtin(FLOAT8_ARRAY, (short) -1)));

    private PgTypeCatalog() {}

    /**
     * The built-in type a JDBC type name denotes ({@code int4}, {@code serial}, ...); text for any other name,
     * so that a value of a type the gateway cannot name still reads as its text form.
     */
    public static Builtin builtin(String typeName) {
        Builtin b = typeName == null ? null : BY_NAME.get(typeName);
        return b == null ? TEXT_TYPE : b;
    }
}

package dev.warden.sql;

/**
 * A table as PostgreSQL resolves it: identifiers already case-folded (unquoted names lower-cased, quoted
 * names kept as written). {@code schema} is null when the statement did not qualify the name.
 */
public record TableName(String schema, String name) {
    public TableName {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("table name is empty");
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }
}

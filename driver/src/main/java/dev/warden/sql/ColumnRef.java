package dev.warden.sql;

/** One column of one base table, names case-folded as PostgreSQL does. */
public record ColumnRef(TableName table, String column) {
    @Override
    public String toString() {
        return table + "." + column;
    }
}

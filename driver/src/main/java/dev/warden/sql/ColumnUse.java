package dev.warden.sql;

/**
 * One use of a column by a statement. {@code slot} is the index into {@link LexedSql#slots()} of the value
 * compared or written (for FILTER_EQUALITY and WRITE_VALUE), else -1. {@code detail} says, for people, what
 * the use is ("LIKE", "ORDER BY", "function lower()", "INSERT ... SELECT"), never a value; for FILTER_EQUALITY
 * it is exactly the operator, {@code "="}, {@code "<>"}, {@code "IN"}, {@code "NOT IN"}, {@code "= ANY"} or
 * {@code "<> ALL"} (an element of {@code ARRAY[...]}), {@code "= ANY (?)"} or {@code "<> ALL (?)"} (one array parameter
 * holding the compared values), for COUNT {@code "COUNT"} or {@code "COUNT(DISTINCT)"},
 * and for FILTER_MATCH {@code "LIKE"}, {@code "ILIKE"}, {@code "NOT LIKE"} or {@code "NOT ILIKE"}, followed by
 * {@code " ESCAPE n"} when literal slot n is the escape (the engine relies on these). {@code other} is the column a
 * COMPARE_OTHER_COLUMN use compares this one with, else null.
 */
public record ColumnUse(ColumnRef column, UseKind kind, int slot, String detail, ColumnRef other) {

    /** A use that involves no other column. */
    public ColumnUse(ColumnRef column, UseKind kind, int slot, String detail) {
        this(column, kind, slot, detail, null);
    }
}

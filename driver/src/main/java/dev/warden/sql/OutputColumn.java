package dev.warden.sql;

/**
 * One column of the result (select list or RETURNING), in order. {@code origin} is the base-table column it
 * shows unchanged, or null when it is computed (then any protected column inside is an UNSUPPORTED use).
 */
public record OutputColumn(String label, ColumnRef origin) {}

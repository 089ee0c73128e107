package dev.warden.sql;

import java.util.List;
import java.util.Set;

/** What the analyzer knows of live tables, to expand {@code *} and resolve unqualified columns. */
@FunctionalInterface
public interface Catalog {
    /** The table's column names in ordinal order, or null when the table is unknown (not a base table). */
    List<String> columns(TableName table);

    /**
     * The table's unique indexes and exclusion constraints (the possible {@code ON CONFLICT} arbiters), or null
     * when they cannot be read: then an ON CONFLICT that names no columns is refused on protected tables.
     */
    default List<UniqueKey> uniqueKeys(TableName table) {
        return null;
    }

    /**
     * The columns of {@code table} that are Warden's own (the companions of match columns): {@code *} does not
     * show them and an INSERT without a column list does not fill them, as if the table had none; the statement
     * sent then spells out the other columns ({@link Plan#edits}). Empty when there are none.
     */
    default Set<String> internalColumns(TableName table) {
        return Set.of();
    }
}

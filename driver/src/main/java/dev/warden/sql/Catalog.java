package dev.warden.sql;

import java.util.List;

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
}

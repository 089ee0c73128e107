package dev.warden.sql;

import java.util.List;

/** What the analyzer knows of live tables, to expand {@code *} and resolve unqualified columns. */
@FunctionalInterface
public interface Catalog {
    /** The table's column names in ordinal order, or null when the table is unknown (not a base table). */
    List<String> columns(TableName table);
}

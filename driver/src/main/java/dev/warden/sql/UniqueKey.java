package dev.warden.sql;

import java.util.List;

/**
 * A unique index or exclusion constraint of a table, as an {@code ON CONFLICT} arbiter. {@code name} is the
 * constraint's name (the index's name when no constraint owns it), case-folded; {@code columns} are its plain
 * key columns; {@code expressionColumns} the other columns it reads (in index expressions or its predicate).
 */
public record UniqueKey(String name, List<String> columns, List<String> expressionColumns) {
    public UniqueKey {
        columns = List.copyOf(columns);
        expressionColumns = List.copyOf(expressionColumns);
    }
}

package dev.warden.audit;

import java.util.List;

/**
 * One section of an audit report: a title, column names and rows whose cells are {@link Long} or
 * {@link String} (null shown empty). Immutable.
 */
public record ReportTable(String title, List<String> columns, List<List<Object>> rows) {

    public ReportTable {
        columns = List.copyOf(columns);
        rows = rows.stream().map(r -> java.util.Collections.unmodifiableList(new java.util.ArrayList<>(r))).toList();
    }

    /** The cell in {@code row} under {@code column}. */
    public Object cell(int row, String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + title);
        }
        return rows.get(row).get(i);
    }
}

package dev.warden.engine;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * What a result must go through before the application sees it when its statement filtered through a match
 * index: each row is kept only if every LIKE of the statement holds on the decrypted value (the index let
 * through a superset), then OFFSET and LIMIT, taken out of the statement sent, are applied to the rows kept.
 * The values are read from columns Warden appended after the statement's own ({@link #visibleColumns()}), which
 * the result set never shows. One per execution; not thread-safe (counts rows).
 */
public final class RowFilter {

    /** One LIKE: the hidden column holding the value, its column, the pattern (null: NULL), and NOT. */
    record Check(int rawIndex, ProtectedColumn column, LikePattern pattern, boolean not) {}

    private final List<Check> checks;
    private final int visibleColumns;
    private final long offset;
    private final long limit;  // Long.MAX_VALUE: none
    private long skipped;
    private long returned;

    RowFilter(List<Check> checks, int visibleColumns, long offset, long limit) {
        this.checks = List.copyOf(checks);
        this.visibleColumns = visibleColumns;
        this.offset = offset;
        this.limit = limit;
    }

    /** The columns of the statement as written; those after them are Warden's and never shown. */
    public int visibleColumns() {
        return visibleColumns;
    }

    /** True when LIMIT has been reached: no further row may be read or shown. */
    public boolean done() {
        return returned >= limit;
    }

    /**
     * Whether the current row of {@code raw} is shown: it matches every LIKE and is past OFFSET. Counts it
     * towards LIMIT when shown.
     */
    public boolean accept(ResultSet raw, long rowNumber) throws SQLException {
        for (Check check : checks) {
            if (check.pattern() == null) return false;  // LIKE NULL is NULL: no row
            Object value = check.column().readPlaintext(raw, check.rawIndex(), null, rowNumber, false);
            if (value == null) return false;  // NULL [NOT] LIKE p is NULL
            if (check.pattern().matches(ValueText.of(value)) == check.not()) return false;
        }
        if (skipped < offset) {
            skipped++;
            return false;
        }
        returned++;
        return true;
    }
}

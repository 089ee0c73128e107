package dev.warden.engine;

import dev.warden.policy.SortRowCap;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Sorts a result Warden must order itself ({@link WardenSort}) as PostgreSQL would have: reads every row of the
 * database's (scrollable) result, at most {@link SortRowCap} of them, decrypts the encrypted keys, and gives the
 * result's row numbers in the statement's order. Comparisons reproduce PostgreSQL's per type: integers, bigints and
 * numerics by value (1.5 = 1.50), dates and timestamps by time, bytea by unsigned bytes, text by code point (the
 * "C" collation's order; UTF-16 order differs for characters outside the BMP), NULLs first or last as the item says.
 * A plain key is compared by the rank the database gave it. Rows whose keys all tie keep the database's order, as
 * PostgreSQL's sort leaves them in an order of its own. One per execution; not thread-safe.
 */
final class RowOrder {

    private final List<WardenSort.Key> keys;
    private final SortRowCap cap;

    RowOrder(List<WardenSort.Key> keys, SortRowCap cap) {
        this.keys = List.copyOf(keys);
        this.cap = cap;
    }

    /** The most rows to ask the database for: one more than the cap, to tell when it is exceeded. */
    long rowsToRead() {
        return cap.rows() + 1L;
    }

    /** One row read: its number in the database's result and its keys (decrypted, or a plain key's rank). */
    private record Row(int number, Object[] keys) {}

    /**
     * The numbers of the rows of {@code raw} that {@code keep} accepts, in the statement's order; reads {@code raw}
     * to its end. Refuses (54000) a result of more than the cap's rows before any is shown.
     */
    int[] sort(ResultSet raw, RowFilter keep) throws SQLException {
        List<Row> rows = new ArrayList<>();
        int number = 0;
        while (raw.next()) {
            number++;
            if (number > cap.rows()) throw capExceeded();
            if (!keep.matches(raw, number)) continue;
            Object[] values = new Object[keys.size()];
            for (int k = 0; k < values.length; k++) {
                WardenSort.Key key = keys.get(k);
                values[k] = key.column() == null ? (Object) raw.getLong(key.rawIndex())
                        : key.column().readPlaintext(raw, key.rawIndex(), null, number, false);
            }
            rows.add(new Row(number, values));
        }
        rows.sort(comparator());
        int[] order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) order[i] = rows.get(i).number();
        return order;
    }

    private SQLException capExceeded() {
        StringBuilder columns = new StringBuilder();
        for (WardenSort.Key key : keys) {
            if (key.column() == null) continue;
            if (columns.length() > 0) columns.append(", ");
            columns.append(key.column().name());
        }
        return SqlStates.of("54000", "ORDER BY " + columns + ": Warden sorts rows of encrypted columns itself and"
                + " reads at most " + cap.rows() + " rows to do so, but this statement selects more; narrow it with"
                + " WHERE, or raise the policy's " + cap.origin());
    }

    private Comparator<Row> comparator() {
        Comparator<Row> all = null;
        for (int k = 0; k < keys.size(); k++) {
            int index = k;
            WardenSort.Key key = keys.get(k);
            Comparator<Object> values = key.descending() ? (a, b) -> compareValues(b, a) : RowOrder::compareValues;
            Comparator<Object> withNulls = key.nullsFirst() ? Comparator.nullsFirst(values)
                    : Comparator.nullsLast(values);
            Comparator<Row> byKey = (a, b) -> withNulls.compare(a.keys()[index], b.keys()[index]);
            all = all == null ? byKey : all.thenComparing(byKey);
        }
        return all;
    }

    /** PostgreSQL's order of two non-null values of one column type. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compareValues(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) return compareCodePoints(x, y);
        if (a instanceof byte[] x && b instanceof byte[] y) return Arrays.compareUnsigned(x, y);
        return ((Comparable) a).compareTo(b);  // Integer, Long (ranks too), BigDecimal, LocalDate, LocalDateTime
    }

    /** Code point order, which is UTF-8 byte order: PostgreSQL's order of text under the "C" collation. */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}

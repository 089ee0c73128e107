package dev.warden.engine;

import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How an error names the row of a result it is about: by the row's primary key when its table has a
 * single-column key that is not protected and the result shows it ({@code customers.email of the row with
 * id = 3}), which lets an operator find and repair the row; else by its position in the result. A protected
 * key is never shown in a message. Immutable; shared by every execution of a plan.
 */
final class RowNames {

    private final int[] keyPositions;  // by 1-based result column: the result column showing its table's key, else 0
    private final String[] keyColumns; // by 1-based result column: its table's key column, else null

    RowNames(int[] keyPositions, String[] keyColumns) {
        this.keyPositions = keyPositions;
        this.keyColumns = keyColumns;
    }

    /**
     * Names the current row of {@code raw} for an error about result column {@code index}; {@code rowNumber}
     * (1-based) is its position, used when the key cannot name it. {@code names} may be null (no key known).
     */
    static String describe(RowNames names, ResultSet raw, int index, long rowNumber) {
        String key = names == null || index >= names.keyColumns.length ? null : names.keyColumns[index];
        if (key == null) return "in row " + rowNumber + " of the result";
        if (names.keyPositions[index] > 0) {
            try {
                String value = raw.getString(names.keyPositions[index]);
                if (value != null) return "of the row with " + key + " = " + literal(value);
            } catch (SQLException | RuntimeException e) {
                // the key could not be read back: the position still names the row
            }
        }
        return "in row " + rowNumber + " of the result (select " + key + " too to name it by its key)";
    }

    /** A key value as SQL would write it: numbers bare, anything else quoted. */
    private static String literal(String value) {
        return value.matches("-?[0-9]+(\\.[0-9]+)?") ? value : "'" + value.replace("'", "''") + "'";
    }
}

package dev.warden.engine;

import dev.warden.policy.Access;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * How to show each column of one result: for protected columns, the column and the access the session
 * has; other columns are passed through untouched. Immutable and shared by every execution of a plan.
 */
public final class ResultDecoder {
    private final ProtectedColumn[] columns;  // by 1-based result column; null = not protected
    private final Access[] access;
    private final int expectedColumnCount;
    // by 1-based result column: the label PostgreSQL gives a protected column shown under its own name (a
    // bare or `*`-expanded column, lower case), else null
    private final String[] expectedLabels;
    private final RowKeys rowKeys;  // null unless the policy hashes row keys and the result shows one
    // by result column: why reading it is refused (a column the role may not read, withheld among generated
    // keys of every column), else null; null when no column is withheld
    private final String[] withheld;
    private final RowNames rowNames;  // how a decryption error names its row; null: by position only

    ResultDecoder(ProtectedColumn[] columns, Access[] access, int expectedColumnCount, RowKeys rowKeys) {
        this(columns, access, expectedColumnCount, null, rowKeys, null, null);
    }

    ResultDecoder(ProtectedColumn[] columns, Access[] access, int expectedColumnCount, String[] expectedLabels,
                  RowKeys rowKeys, String[] withheld, RowNames rowNames) {
        this.columns = columns;
        this.access = access;
        this.expectedColumnCount = expectedColumnCount;
        this.expectedLabels = expectedLabels;
        this.rowKeys = rowKeys;
        this.withheld = withheld;
        this.rowNames = rowNames;
    }

    /** Records the current row's hashed primary keys in {@code audit}, when the policy asks for them. */
    public void recordRowKeys(ResultSet raw, StatementAudit audit) throws SQLException {
        if (rowKeys != null && audit != null) rowKeys.hashRow(raw, audit);
    }

    /** True when result column {@code index} (1-based) needs decrypting or masking. */
    public boolean isProtected(int index) {
        return index < columns.length && columns[index] != null;
    }

    public ProtectedColumn column(int index) {
        return columns[index];
    }

    /**
     * Checks the live result has the shape the plan was made for: a table altered since its columns were
     * cached would shift positions, so refuse rather than decode the wrong column.
     */
    public void checkShape(ResultSetMetaData actual) throws SQLException {
        int actualColumnCount = actual.getColumnCount();
        if (expectedColumnCount >= 0 && actualColumnCount != expectedColumnCount) {
            throw tableChanged("the result has " + actualColumnCount + " columns where the analysis of the"
                    + " statement expected " + expectedColumnCount);
        }
        // same width, other order (columns dropped and added outside Warden): a protected column has moved
        if (expectedLabels != null) {
            for (int i = 1; i < expectedLabels.length && i <= actualColumnCount; i++) {
                String label = expectedLabels[i];
                if (label != null && !label.equalsIgnoreCase(actual.getColumnLabel(i))) {
                    throw tableChanged("result column " + i + " is no longer " + columns[i].name());
                }
            }
        }
    }

    /** The caller has the engine forget table shapes ({@code WardenEngine#tableChanged}), so that a retry sees the table anew. */
    private static SQLException tableChanged(String what) {
        return SqlStates.unsupported(what + ": the table changed since the statement was analysed; retry the"
                + " statement");
    }

    /**
     * The value of protected column {@code index} as this session may see it. {@code textAsBytes}: what
     * {@link #readsTextAsBytes} said of {@code raw}; {@code rowNumber} (1-based) names the row in an error when
     * its key cannot.
     *
     * @throws SQLException XX001 when the stored value cannot be decrypted, naming table.column and the row's
     *                      key (or position), never the value; 42501 for a withheld column (a column shown as
     *                      NULL under {@code denied-columns: null} reads as null)
     */
    public Object read(ResultSet raw, int index, long rowNumber, boolean textAsBytes) throws SQLException {
        if (access[index] == Access.DENIED) return denied(index);
        ProtectedColumn column = columns[index];
        return column.shown(column.readPlaintext(raw, index, rowNames, rowNumber, textAsBytes), access[index]);
    }

    /**
     * A column the role may not read, kept in the result: withheld (each read refused) or, under {@code
     * denied-columns: null}, NULL. Checked before anything touches the stored value, so a denied column is never
     * decrypted (a mask would otherwise apply to it, see {@link ProtectedColumn#shown}).
     */
    private Object denied(int index) throws SQLException {
        if (withheld != null && withheld[index] != null) throw SqlStates.denied(withheld[index]);
        return null;
    }

    /**
     * True when {@code raw.getBytes} on a text column returns the bytes the server sent, so that base64
     * ciphertext can be decoded without first building a String. pgjdbc does (for any non-bytea column, in
     * text and binary formats alike; base64 is ASCII, the same bytes in every client encoding PostgreSQL
     * has). JDBC leaves getBytes on a character column to each driver, so other drivers' text columns are
     * read as Strings. Asked once per result set.
     */
    public static boolean readsTextAsBytes(ResultSet raw) {
        return raw.getClass().getName().startsWith("org.postgresql.");
    }

    /** The logical type to report in metadata for a protected column (masked values are text). */
    public String logicalTypeName(int index) {
        return access[index] == Access.MASKED ? "TEXT" : columns[index].type().name();
    }
}

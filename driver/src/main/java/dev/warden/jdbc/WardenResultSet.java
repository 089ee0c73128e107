package dev.warden.jdbc;

import dev.warden.engine.ResultDecoder;
import dev.warden.engine.RowFilter;
import dev.warden.engine.SqlStates;
import dev.warden.engine.StatementAudit;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * A result set that shows each protected column as the session may see it (decrypted, masked) and passes
 * other columns through untouched. Every getter by label goes through {@link #findColumn} to the getter by
 * index, so no path reaches a protected value undecoded. Counts rows for the audit record, which it writes
 * when read to the end or closed. Not thread-safe.
 */
public final class WardenResultSet implements ResultSet {

    private final WardenStatement owner;  // null for metadata results
    private ResultSet delegate;  // replaced only when a LIKE through a match index runs again for more candidates
    private final ResultDecoder decoder;  // null: no protected column in this result
    private final boolean fromProtectedTable;
    private final boolean textAsBytes;  // see ResultDecoder.readsTextAsBytes
    private StatementAudit audit;
    private long rowNumber;
    private boolean lastProtected;
    private boolean lastNull;
    // a LIKE through a match index: rows are re-checked, OFFSET/LIMIT applied, Warden's trailing columns hidden
    private final RowFilter filter;  // null: every row is shown, every column is the statement's

    WardenResultSet(WardenStatement owner, ResultSet delegate, ResultDecoder decoder, boolean fromProtectedTable,
                    StatementAudit audit) {
        this(owner, delegate, decoder, fromProtectedTable, audit, null);
    }

    WardenResultSet(WardenStatement owner, ResultSet delegate, ResultDecoder decoder, boolean fromProtectedTable,
                    StatementAudit audit, RowFilter filter) {
        this.filter = filter;
        this.owner = owner;
        this.delegate = delegate;
        this.decoder = decoder;
        this.fromProtectedTable = fromProtectedTable;
        this.textAsBytes = decoder != null && ResultDecoder.readsTextAsBytes(delegate);
        this.audit = audit;
    }

    private boolean isProtected(int columnIndex) throws SQLException {
        if (filter != null && columnIndex > filter.visibleColumns()) throw hiddenColumn(columnIndex);
        return decoder != null && decoder.isProtected(columnIndex);
    }

    /** As pgjdbc reports an index past the last column: the columns Warden appended do not exist for the reader. */
    private SQLException hiddenColumn(int columnIndex) {
        return new SQLException("The column index is out of range: " + columnIndex + ", number of columns: "
                + filter.visibleColumns() + ".", "22023");
    }

    /**
     * Moving other than forward would show rows the re-check of a LIKE through a match index has not passed; asking
     * the position (isFirst, isBeforeFirst, isAfterLast, isLast) would answer from the database's result, which is
     * read ahead of the rows shown (to its end when Warden sorts it).
     */
    private void checkForwardOnly() throws SQLException {
        if (filter != null) {
            throw SqlStates.unsupported("a result Warden re-checks or sorts itself (LIKE on a match column, ORDER BY"
                    + " an encrypted column) can only be read forward, with next()");
        }
    }

    /** The current row's value of a protected column, as the session may see it. */
    private Object value(int columnIndex) throws SQLException {
        Object value;
        if (filter != null && filter.aggregates()) {
            // MIN/MAX computed by Warden: each column's answer is in a row of its own, or none (NULL)
            int row = filter.rowOf(columnIndex);
            if (row == 0) {
                lastProtected = true;
                lastNull = true;
                return null;
            }
            if (delegate.getRow() != row) delegate.absolute(row);
        }
        try {
            value = decoder.read(delegate, columnIndex, rowNumber, textAsBytes);
        } catch (SQLException e) {
            if (SqlStates.DATA_CORRUPTED.equals(e.getSQLState())) failAudit(rowNumber - 1, e);
            throw e;
        }
        lastProtected = true;
        lastNull = value == null;
        return value;
    }

    private String columnName(int columnIndex) {
        return decoder.column(columnIndex).name();
    }

    /**
     * Updatable result sets would write plaintext straight into the table, and deleting or refreshing a row runs
     * pgjdbc's own DELETE or SELECT past Warden's analysis and audit: refused whenever the statement touches a
     * protected table.
     */
    private void checkUpdatable() throws SQLException {
        if (fromProtectedTable) {
            throw SqlStates.unsupported("updating a result set of a protected table is not supported; use UPDATE");
        }
    }

    /** Writes the audit record of the execution that produced this result, once. */
    void finishAudit() throws SQLException {
        if (audit != null) {
            StatementAudit pending = audit;
            audit = null;
            pending.succeeded(rowNumber);
        }
    }

    /**
     * Reading the result failed after {@code rowsRead} complete rows: the execution's record says so, with the
     * error's SQLState, once (a later close writes nothing). Should the trail refuse the record (58000), that
     * is what the caller gets.
     */
    private void failAudit(long rowsRead, SQLException error) throws SQLException {
        if (audit != null) {
            StatementAudit pending = audit;
            audit = null;
            pending.failedReading(rowsRead, error);
        }
    }

    /**
     * The reader stops reading this result because of {@code reason}, an error of its own (a front door's client
     * cancelled the statement while its rows streamed, 57014): the execution is recorded as failed with that
     * SQLState and the rows read so far, once; nothing happens when its record was already written.
     */
    void readingFailed(SQLException reason) throws SQLException {
        failAudit(rowNumber, reason);
    }

    @Override
    public boolean next() throws SQLException {
        boolean more;
        try {
            more = filter == null ? delegate.next() : nextMatching();
        } catch (SQLException e) {
            // a fetch through a cursor runs the rest of the query: its errors (57014 cancelled, a lost
            // connection) are the server's, and fail the statement
            SQLException redacted = redacted(e);
            failAudit(rowNumber, redacted);
            throw redacted;
        }
        if (more) {
            rowNumber++;
            if (decoder != null) decoder.recordRowKeys(delegate, audit);
        } else {
            finishAudit();
        }
        return more;
    }

    /**
     * The next row that passes the re-check of every LIKE and OFFSET, or false once LIMIT is reached: then no
     * further row is read from the database's result (with a fetch size, no further batch is fetched).
     */
    private boolean nextMatching() throws SQLException {
        if (filter.aggregates()) return filter.nextAggregateRow();  // MIN/MAX computed by Warden: one row, always
        if (filter.sorts()) {
            // sorted by Warden when the result was wrapped: the rows are shown in that order, from the scrollable result
            int row = filter.nextSortedRow();
            return row > 0 && delegate.absolute(row);
        }
        while (!filter.done()) {
            if (!delegate.next()) {
                if (owner == null || !filter.needsMoreCandidates()) return false;
                // as many candidates as asked for, too few of them matched: run again for more, skipping those seen
                delegate = owner.moreCandidates(filter.nextBound());
                continue;
            }
            if (filter.accept(delegate, rowNumber + 1)) return true;
        }
        return false;
    }

    /** An error of the real result set, as the application may see it (see WardenConnection#redact). */
    private SQLException redacted(SQLException e) {
        return owner == null ? e : owner.connection.redact(e, fromProtectedTable || decoder != null);
    }

    @Override
    public boolean wasNull() throws SQLException {
        return lastProtected ? lastNull : delegate.wasNull();
    }

    @Override
    public void close() throws SQLException {
        try {
            finishAudit();
        } finally {
            delegate.close();
        }
    }

    @Override
    public Statement getStatement() {
        return owner;
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return new WardenResultSetMetaData(delegate.getMetaData(), decoder,
                filter == null ? -1 : filter.visibleColumns());
    }

    @Override
    public void insertRow() throws SQLException {
        checkUpdatable();
        delegate.insertRow();
    }

    @Override
    public void updateRow() throws SQLException {
        checkUpdatable();
        delegate.updateRow();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(this, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    // ---- getters (protected columns decoded), updaters (refused on protected tables), navigation ----

    @Override
    public boolean absolute(int columnIndex) throws SQLException {
        checkForwardOnly();
        return delegate.absolute(columnIndex);
    }

    @Override
    public void afterLast() throws SQLException {
        checkForwardOnly();
        delegate.afterLast();
    }

    @Override
    public void beforeFirst() throws SQLException {
        checkForwardOnly();
        delegate.beforeFirst();
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        delegate.cancelRowUpdates();
    }

    @Override
    public void clearWarnings() throws SQLException {
        delegate.clearWarnings();
    }

    @Override
    public void deleteRow() throws SQLException {
        checkUpdatable();
        delegate.deleteRow();
    }

    @Override
    public int findColumn(String columnLabel) throws SQLException {
        int index = delegate.findColumn(columnLabel);
        if (filter != null && index > filter.visibleColumns()) {
            throw new SQLException("The column name " + columnLabel + " was not found in this ResultSet.", "42703");
        }
        return index;
    }

    @Override
    public boolean first() throws SQLException {
        checkForwardOnly();
        return delegate.first();
    }

    @Override
    public Array getArray(String columnLabel) throws SQLException {
        return getArray(findColumn(columnLabel));
    }

    @Override
    public Array getArray(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asArray(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getArray(columnIndex);
    }

    @Override
    public java.io.InputStream getAsciiStream(String columnLabel) throws SQLException {
        return getAsciiStream(findColumn(columnLabel));
    }

    @Override
    public java.io.InputStream getAsciiStream(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asAsciiStream(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getAsciiStream(columnIndex);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(String columnLabel, int arg1) throws SQLException {
        return getBigDecimal(findColumn(columnLabel), arg1);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(String columnLabel) throws SQLException {
        return getBigDecimal(findColumn(columnLabel));
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int columnIndex, int arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBigDecimal(value(columnIndex), arg1, columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBigDecimal(columnIndex, arg1);
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBigDecimal(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBigDecimal(columnIndex);
    }

    @Override
    public java.io.InputStream getBinaryStream(String columnLabel) throws SQLException {
        return getBinaryStream(findColumn(columnLabel));
    }

    @Override
    public java.io.InputStream getBinaryStream(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBinaryStream(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBinaryStream(columnIndex);
    }

    @Override
    public Blob getBlob(String columnLabel) throws SQLException {
        return getBlob(findColumn(columnLabel));
    }

    @Override
    public Blob getBlob(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBlob(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBlob(columnIndex);
    }

    @Override
    public boolean getBoolean(String columnLabel) throws SQLException {
        return getBoolean(findColumn(columnLabel));
    }

    @Override
    public boolean getBoolean(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBoolean(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBoolean(columnIndex);
    }

    @Override
    public byte getByte(String columnLabel) throws SQLException {
        return getByte(findColumn(columnLabel));
    }

    @Override
    public byte getByte(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asByte(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getByte(columnIndex);
    }

    @Override
    public byte[] getBytes(String columnLabel) throws SQLException {
        return getBytes(findColumn(columnLabel));
    }

    @Override
    public byte[] getBytes(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asBytes(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getBytes(columnIndex);
    }

    @Override
    public java.io.Reader getCharacterStream(String columnLabel) throws SQLException {
        return getCharacterStream(findColumn(columnLabel));
    }

    @Override
    public java.io.Reader getCharacterStream(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asCharacterStream(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getCharacterStream(columnIndex);
    }

    @Override
    public Clob getClob(String columnLabel) throws SQLException {
        return getClob(findColumn(columnLabel));
    }

    @Override
    public Clob getClob(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asClob(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getClob(columnIndex);
    }

    @Override
    public int getConcurrency() throws SQLException {
        return delegate.getConcurrency();
    }

    @Override
    public String getCursorName() throws SQLException {
        return delegate.getCursorName();
    }

    @Override
    public Date getDate(String columnLabel, java.util.Calendar arg1) throws SQLException {
        return getDate(findColumn(columnLabel), arg1);
    }

    @Override
    public Date getDate(String columnLabel) throws SQLException {
        return getDate(findColumn(columnLabel));
    }

    @Override
    public Date getDate(int columnIndex, java.util.Calendar arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asDate(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getDate(columnIndex, arg1);
    }

    @Override
    public Date getDate(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asDate(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getDate(columnIndex);
    }

    @Override
    public double getDouble(String columnLabel) throws SQLException {
        return getDouble(findColumn(columnLabel));
    }

    @Override
    public double getDouble(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asDouble(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getDouble(columnIndex);
    }

    @Override
    public int getFetchDirection() throws SQLException {
        return delegate.getFetchDirection();
    }

    @Override
    public int getFetchSize() throws SQLException {
        return delegate.getFetchSize();
    }

    @Override
    public float getFloat(String columnLabel) throws SQLException {
        return getFloat(findColumn(columnLabel));
    }

    @Override
    public float getFloat(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asFloat(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getFloat(columnIndex);
    }

    @Override
    public int getHoldability() throws SQLException {
        return delegate.getHoldability();
    }

    @Override
    public int getInt(String columnLabel) throws SQLException {
        return getInt(findColumn(columnLabel));
    }

    @Override
    public int getInt(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asInt(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getInt(columnIndex);
    }

    @Override
    public long getLong(String columnLabel) throws SQLException {
        return getLong(findColumn(columnLabel));
    }

    @Override
    public long getLong(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asLong(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getLong(columnIndex);
    }

    @Override
    public java.io.Reader getNCharacterStream(String columnLabel) throws SQLException {
        return getNCharacterStream(findColumn(columnLabel));
    }

    @Override
    public java.io.Reader getNCharacterStream(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asNCharacterStream(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getNCharacterStream(columnIndex);
    }

    @Override
    public NClob getNClob(String columnLabel) throws SQLException {
        return getNClob(findColumn(columnLabel));
    }

    @Override
    public NClob getNClob(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asNClob(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getNClob(columnIndex);
    }

    @Override
    public String getNString(String columnLabel) throws SQLException {
        return getNString(findColumn(columnLabel));
    }

    @Override
    public String getNString(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asNString(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getNString(columnIndex);
    }

    @Override
    public <T> T getObject(String columnLabel, Class<T> arg1) throws SQLException {
        return getObject(findColumn(columnLabel), arg1);
    }

    @Override
    public Object getObject(String columnLabel, java.util.Map<String, Class<?>> arg1) throws SQLException {
        return getObject(findColumn(columnLabel), arg1);
    }

    @Override
    public Object getObject(String columnLabel) throws SQLException {
        return getObject(findColumn(columnLabel));
    }

    @Override
    public <T> T getObject(int columnIndex, Class<T> arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asObject(value(columnIndex), arg1, columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getObject(columnIndex, arg1);
    }

    @Override
    public Object getObject(int columnIndex, java.util.Map<String, Class<?>> arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asObject(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getObject(columnIndex, arg1);
    }

    @Override
    public Object getObject(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asObject(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getObject(columnIndex);
    }

    @Override
    public Ref getRef(String columnLabel) throws SQLException {
        return getRef(findColumn(columnLabel));
    }

    @Override
    public Ref getRef(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asRef(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getRef(columnIndex);
    }

    @Override
    public int getRow() throws SQLException {
        if (filter != null) return (int) Math.min(rowNumber, Integer.MAX_VALUE);
        return delegate.getRow();
    }

    @Override
    public RowId getRowId(String columnLabel) throws SQLException {
        return getRowId(findColumn(columnLabel));
    }

    @Override
    public RowId getRowId(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asRowId(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getRowId(columnIndex);
    }

    @Override
    public SQLXML getSQLXML(String columnLabel) throws SQLException {
        return getSQLXML(findColumn(columnLabel));
    }

    @Override
    public SQLXML getSQLXML(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asSQLXML(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getSQLXML(columnIndex);
    }

    @Override
    public short getShort(String columnLabel) throws SQLException {
        return getShort(findColumn(columnLabel));
    }

    @Override
    public short getShort(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asShort(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getShort(columnIndex);
    }

    @Override
    public String getString(String columnLabel) throws SQLException {
        return getString(findColumn(columnLabel));
    }

    @Override
    public String getString(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asString(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getString(columnIndex);
    }

    @Override
    public Time getTime(String columnLabel, java.util.Calendar arg1) throws SQLException {
        return getTime(findColumn(columnLabel), arg1);
    }

    @Override
    public Time getTime(String columnLabel) throws SQLException {
        return getTime(findColumn(columnLabel));
    }

    @Override
    public Time getTime(int columnIndex, java.util.Calendar arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asTime(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getTime(columnIndex, arg1);
    }

    @Override
    public Time getTime(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asTime(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getTime(columnIndex);
    }

    @Override
    public Timestamp getTimestamp(String columnLabel, java.util.Calendar arg1) throws SQLException {
        return getTimestamp(findColumn(columnLabel), arg1);
    }

    @Override
    public Timestamp getTimestamp(String columnLabel) throws SQLException {
        return getTimestamp(findColumn(columnLabel));
    }

    @Override
    public Timestamp getTimestamp(int columnIndex, java.util.Calendar arg1) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asTimestamp(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getTimestamp(columnIndex, arg1);
    }

    @Override
    public Timestamp getTimestamp(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asTimestamp(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getTimestamp(columnIndex);
    }

    @Override
    public int getType() throws SQLException {
        // a result Warden sorts is read from a scrollable one, but can only be read forward (checkForwardOnly)
        if (filter != null && filter.sorts()) return TYPE_FORWARD_ONLY;
        return delegate.getType();
    }

    @Override
    public java.net.URL getURL(String columnLabel) throws SQLException {
        return getURL(findColumn(columnLabel));
    }

    @Override
    public java.net.URL getURL(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asURL(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getURL(columnIndex);
    }

    @Override
    public java.io.InputStream getUnicodeStream(String columnLabel) throws SQLException {
        return getUnicodeStream(findColumn(columnLabel));
    }

    @Override
    public java.io.InputStream getUnicodeStream(int columnIndex) throws SQLException {
        if (isProtected(columnIndex)) {
            return DecodedValues.asUnicodeStream(value(columnIndex), columnName(columnIndex));
        }
        lastProtected = false;
        return delegate.getUnicodeStream(columnIndex);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        SQLWarning warnings = delegate.getWarnings();
        return owner == null ? warnings : owner.connection.redact(warnings, fromProtectedTable || decoder != null);
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkForwardOnly();
        return delegate.isAfterLast();
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkForwardOnly();
        return delegate.isBeforeFirst();
    }

    @Override
    public boolean isClosed() throws SQLException {
        return delegate.isClosed();
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkForwardOnly();
        return delegate.isFirst();
    }

    @Override
    public boolean isLast() throws SQLException {
        checkForwardOnly();
        return delegate.isLast();
    }

    @Override
    public boolean last() throws SQLException {
        checkForwardOnly();
        return delegate.last();
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        delegate.moveToCurrentRow();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        checkUpdatable();
        delegate.moveToInsertRow();
    }

    @Override
    public boolean previous() throws SQLException {
        checkForwardOnly();
        return delegate.previous();
    }

    @Override
    public void refreshRow() throws SQLException {
        checkUpdatable();
        delegate.refreshRow();
    }

    @Override
    public boolean relative(int columnIndex) throws SQLException {
        checkForwardOnly();
        return delegate.relative(columnIndex);
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        return delegate.rowDeleted();
    }

    @Override
    public boolean rowInserted() throws SQLException {
        return delegate.rowInserted();
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        return delegate.rowUpdated();
    }

    @Override
    public void setFetchDirection(int columnIndex) throws SQLException {
        delegate.setFetchDirection(columnIndex);
    }

    @Override
    public void setFetchSize(int columnIndex) throws SQLException {
        delegate.setFetchSize(columnIndex);
    }

    @Override
    public void updateArray(String columnLabel, Array arg1) throws SQLException {
        checkUpdatable();
        delegate.updateArray(columnLabel, arg1);
    }

    @Override
    public void updateArray(int columnIndex, Array arg1) throws SQLException {
        checkUpdatable();
        delegate.updateArray(columnIndex, arg1);
    }

    @Override
    public void updateAsciiStream(String columnLabel, java.io.InputStream arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateAsciiStream(String columnLabel, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateAsciiStream(String columnLabel, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnLabel, arg1);
    }

    @Override
    public void updateAsciiStream(int columnIndex, java.io.InputStream arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateAsciiStream(int columnIndex, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateAsciiStream(int columnIndex, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateAsciiStream(columnIndex, arg1);
    }

    @Override
    public void updateBigDecimal(String columnLabel, java.math.BigDecimal arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBigDecimal(columnLabel, arg1);
    }

    @Override
    public void updateBigDecimal(int columnIndex, java.math.BigDecimal arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBigDecimal(columnIndex, arg1);
    }

    @Override
    public void updateBinaryStream(String columnLabel, java.io.InputStream arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateBinaryStream(String columnLabel, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateBinaryStream(String columnLabel, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnLabel, arg1);
    }

    @Override
    public void updateBinaryStream(int columnIndex, java.io.InputStream arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateBinaryStream(int columnIndex, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateBinaryStream(int columnIndex, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBinaryStream(columnIndex, arg1);
    }

    @Override
    public void updateBlob(String columnLabel, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnLabel, arg1, arg2);
    }

    @Override
    public void updateBlob(String columnLabel, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnLabel, arg1);
    }

    @Override
    public void updateBlob(String columnLabel, Blob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnLabel, arg1);
    }

    @Override
    public void updateBlob(int columnIndex, java.io.InputStream arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnIndex, arg1, arg2);
    }

    @Override
    public void updateBlob(int columnIndex, java.io.InputStream arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnIndex, arg1);
    }

    @Override
    public void updateBlob(int columnIndex, Blob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBlob(columnIndex, arg1);
    }

    @Override
    public void updateBoolean(String columnLabel, boolean arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBoolean(columnLabel, arg1);
    }

    @Override
    public void updateBoolean(int columnIndex, boolean arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBoolean(columnIndex, arg1);
    }

    @Override
    public void updateByte(String columnLabel, byte arg1) throws SQLException {
        checkUpdatable();
        delegate.updateByte(columnLabel, arg1);
    }

    @Override
    public void updateByte(int columnIndex, byte arg1) throws SQLException {
        checkUpdatable();
        delegate.updateByte(columnIndex, arg1);
    }

    @Override
    public void updateBytes(String columnLabel, byte[] arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBytes(columnLabel, arg1);
    }

    @Override
    public void updateBytes(int columnIndex, byte[] arg1) throws SQLException {
        checkUpdatable();
        delegate.updateBytes(columnIndex, arg1);
    }

    @Override
    public void updateCharacterStream(String columnLabel, java.io.Reader arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateCharacterStream(String columnLabel, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateCharacterStream(String columnLabel, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnLabel, arg1);
    }

    @Override
    public void updateCharacterStream(int columnIndex, java.io.Reader arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateCharacterStream(int columnIndex, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateCharacterStream(int columnIndex, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateCharacterStream(columnIndex, arg1);
    }

    @Override
    public void updateClob(String columnLabel, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnLabel, arg1, arg2);
    }

    @Override
    public void updateClob(String columnLabel, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnLabel, arg1);
    }

    @Override
    public void updateClob(String columnLabel, Clob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnLabel, arg1);
    }

    @Override
    public void updateClob(int columnIndex, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnIndex, arg1, arg2);
    }

    @Override
    public void updateClob(int columnIndex, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnIndex, arg1);
    }

    @Override
    public void updateClob(int columnIndex, Clob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateClob(columnIndex, arg1);
    }

    @Override
    public void updateDate(String columnLabel, Date arg1) throws SQLException {
        checkUpdatable();
        delegate.updateDate(columnLabel, arg1);
    }

    @Override
    public void updateDate(int columnIndex, Date arg1) throws SQLException {
        checkUpdatable();
        delegate.updateDate(columnIndex, arg1);
    }

    @Override
    public void updateDouble(String columnLabel, double arg1) throws SQLException {
        checkUpdatable();
        delegate.updateDouble(columnLabel, arg1);
    }

    @Override
    public void updateDouble(int columnIndex, double arg1) throws SQLException {
        checkUpdatable();
        delegate.updateDouble(columnIndex, arg1);
    }

    @Override
    public void updateFloat(String columnLabel, float arg1) throws SQLException {
        checkUpdatable();
        delegate.updateFloat(columnLabel, arg1);
    }

    @Override
    public void updateFloat(int columnIndex, float arg1) throws SQLException {
        checkUpdatable();
        delegate.updateFloat(columnIndex, arg1);
    }

    @Override
    public void updateInt(String columnLabel, int arg1) throws SQLException {
        checkUpdatable();
        delegate.updateInt(columnLabel, arg1);
    }

    @Override
    public void updateInt(int columnIndex, int arg1) throws SQLException {
        checkUpdatable();
        delegate.updateInt(columnIndex, arg1);
    }

    @Override
    public void updateLong(String columnLabel, long arg1) throws SQLException {
        checkUpdatable();
        delegate.updateLong(columnLabel, arg1);
    }

    @Override
    public void updateLong(int columnIndex, long arg1) throws SQLException {
        checkUpdatable();
        delegate.updateLong(columnIndex, arg1);
    }

    @Override
    public void updateNCharacterStream(String columnLabel, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateNCharacterStream(columnLabel, arg1, arg2);
    }

    @Override
    public void updateNCharacterStream(String columnLabel, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNCharacterStream(columnLabel, arg1);
    }

    @Override
    public void updateNCharacterStream(int columnIndex, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateNCharacterStream(columnIndex, arg1, arg2);
    }

    @Override
    public void updateNCharacterStream(int columnIndex, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNCharacterStream(columnIndex, arg1);
    }

    @Override
    public void updateNClob(String columnLabel, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnLabel, arg1, arg2);
    }

    @Override
    public void updateNClob(String columnLabel, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnLabel, arg1);
    }

    @Override
    public void updateNClob(String columnLabel, NClob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnLabel, arg1);
    }

    @Override
    public void updateNClob(int columnIndex, java.io.Reader arg1, long arg2) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnIndex, arg1, arg2);
    }

    @Override
    public void updateNClob(int columnIndex, java.io.Reader arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnIndex, arg1);
    }

    @Override
    public void updateNClob(int columnIndex, NClob arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNClob(columnIndex, arg1);
    }

    @Override
    public void updateNString(String columnLabel, String arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNString(columnLabel, arg1);
    }

    @Override
    public void updateNString(int columnIndex, String arg1) throws SQLException {
        checkUpdatable();
        delegate.updateNString(columnIndex, arg1);
    }

    @Override
    public void updateNull(String columnLabel) throws SQLException {
        checkUpdatable();
        delegate.updateNull(columnLabel);
    }

    @Override
    public void updateNull(int columnIndex) throws SQLException {
        checkUpdatable();
        delegate.updateNull(columnIndex);
    }

    @Override
    public void updateObject(String columnLabel, Object arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnLabel, arg1, arg2);
    }

    @Override
    public void updateObject(String columnLabel, Object arg1, SQLType arg2, int arg3) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnLabel, arg1, arg2, arg3);
    }

    @Override
    public void updateObject(String columnLabel, Object arg1, SQLType arg2) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnLabel, arg1, arg2);
    }

    @Override
    public void updateObject(String columnLabel, Object arg1) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnLabel, arg1);
    }

    @Override
    public void updateObject(int columnIndex, Object arg1, int arg2) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnIndex, arg1, arg2);
    }

    @Override
    public void updateObject(int columnIndex, Object arg1, SQLType arg2, int arg3) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnIndex, arg1, arg2, arg3);
    }

    @Override
    public void updateObject(int columnIndex, Object arg1, SQLType arg2) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnIndex, arg1, arg2);
    }

    @Override
    public void updateObject(int columnIndex, Object arg1) throws SQLException {
        checkUpdatable();
        delegate.updateObject(columnIndex, arg1);
    }

    @Override
    public void updateRef(String columnLabel, Ref arg1) throws SQLException {
        checkUpdatable();
        delegate.updateRef(columnLabel, arg1);
    }

    @Override
    public void updateRef(int columnIndex, Ref arg1) throws SQLException {
        checkUpdatable();
        delegate.updateRef(columnIndex, arg1);
    }

    @Override
    public void updateRowId(String columnLabel, RowId arg1) throws SQLException {
        checkUpdatable();
        delegate.updateRowId(columnLabel, arg1);
    }

    @Override
    public void updateRowId(int columnIndex, RowId arg1) throws SQLException {
        checkUpdatable();
        delegate.updateRowId(columnIndex, arg1);
    }

    @Override
    public void updateSQLXML(String columnLabel, SQLXML arg1) throws SQLException {
        checkUpdatable();
        delegate.updateSQLXML(columnLabel, arg1);
    }

    @Override
    public void updateSQLXML(int columnIndex, SQLXML arg1) throws SQLException {
        checkUpdatable();
        delegate.updateSQLXML(columnIndex, arg1);
    }

    @Override
    public void updateShort(String columnLabel, short arg1) throws SQLException {
        checkUpdatable();
        delegate.updateShort(columnLabel, arg1);
    }

    @Override
    public void updateShort(int columnIndex, short arg1) throws SQLException {
        checkUpdatable();
        delegate.updateShort(columnIndex, arg1);
    }

    @Override
    public void updateString(String columnLabel, String arg1) throws SQLException {
        checkUpdatable();
        delegate.updateString(columnLabel, arg1);
    }

    @Override
    public void updateString(int columnIndex, String arg1) throws SQLException {
        checkUpdatable();
        delegate.updateString(columnIndex, arg1);
    }

    @Override
    public void updateTime(String columnLabel, Time arg1) throws SQLException {
        checkUpdatable();
        delegate.updateTime(columnLabel, arg1);
    }

    @Override
    public void updateTime(int columnIndex, Time arg1) throws SQLException {
        checkUpdatable();
        delegate.updateTime(columnIndex, arg1);
    }

    @Override
    public void updateTimestamp(String columnLabel, Timestamp arg1) throws SQLException {
        checkUpdatable();
        delegate.updateTimestamp(columnLabel, arg1);
    }

    @Override
    public void updateTimestamp(int columnIndex, Timestamp arg1) throws SQLException {
        checkUpdatable();
        delegate.updateTimestamp(columnIndex, arg1);
    }
}

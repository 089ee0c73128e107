package dev.warden.jdbc;

import dev.warden.engine.ResultDecoder;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;

/**
 * Result metadata in which protected columns report their logical type (what the getters return) instead
 * of the bytea or text that holds their ciphertext. Other columns report what the real driver says.
 * A front door that describes results on the PostgreSQL wire reads which columns are protected and the real
 * driver's metadata through {@link dev.warden.engine.EngineSession}. Immutable.
 */
public final class WardenResultSetMetaData implements ResultSetMetaData {

    /** JDBC type, PostgreSQL type name, Java class and display size of each logical type. */
    private record LogicalTypeInfo(int sqlType, String typeName, String className, int displaySize) {
        static LogicalTypeInfo of(String logicalType) {
            return switch (logicalType) {
                case "INTEGER" -> new LogicalTypeInfo(Types.INTEGER, "int4", "java.lang.Integer", 11);
                case "BIGINT" -> new LogicalTypeInfo(Types.BIGINT, "int8", "java.lang.Long", 20);
                case "NUMERIC" -> new LogicalTypeInfo(Types.NUMERIC, "numeric", "java.math.BigDecimal", 131089);
                case "DATE" -> new LogicalTypeInfo(Types.DATE, "date", "java.sql.Date", 13);
                case "TIMESTAMP" -> new LogicalTypeInfo(Types.TIMESTAMP, "timestamp", "java.sql.Timestamp", 29);
                case "BYTES" -> new LogicalTypeInfo(Types.BINARY, "bytea", "[B", Integer.MAX_VALUE);
                default -> new LogicalTypeInfo(Types.VARCHAR, "text", "java.lang.String", Integer.MAX_VALUE);
            };
        }
    }

    private final ResultSetMetaData delegate;
    private final ResultDecoder decoder;
    private final int visibleColumns;  // -1: all; else the columns after these are Warden's (see RowFilter)

    WardenResultSetMetaData(ResultSetMetaData delegate, ResultDecoder decoder) {
        this(delegate, decoder, -1);
    }

    WardenResultSetMetaData(ResultSetMetaData delegate, ResultDecoder decoder, int visibleColumns) {
        this.delegate = delegate;
        this.decoder = decoder;
        this.visibleColumns = visibleColumns;
    }

    private void checkVisible(int column) throws SQLException {
        if (visibleColumns >= 0 && column > visibleColumns) {
            throw new SQLException("The column index is out of range: " + column + ", number of columns: "
                    + visibleColumns + ".", "22023");
        }
    }

    private LogicalTypeInfo logical(int column) throws SQLException {
        checkVisible(column);
        return decoder != null && decoder.isProtected(column)
                ? LogicalTypeInfo.of(decoder.logicalTypeName(column)) : null;
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        return info != null ? info.sqlType() : delegate.getColumnType(column);
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        return info != null ? info.typeName() : delegate.getColumnTypeName(column);
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        return info != null ? info.className() : delegate.getColumnClassName(column);
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        return info != null ? info.displaySize() : delegate.getColumnDisplaySize(column);
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return logical(column) != null ? 0 : delegate.getPrecision(column);
    }

    @Override
    public int getScale(int column) throws SQLException {
        return logical(column) != null ? 0 : delegate.getScale(column);
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        if (info == null) return delegate.isSigned(column);
        return info.sqlType() == Types.INTEGER || info.sqlType() == Types.BIGINT || info.sqlType() == Types.NUMERIC;
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        LogicalTypeInfo info = logical(column);
        return info != null ? info.sqlType() == Types.VARCHAR : delegate.isCaseSensitive(column);
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        return delegate.isSearchable(column);
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        return delegate.isCurrency(column);
    }

    @Override
    public int getColumnCount() throws SQLException {
        return visibleColumns >= 0 ? visibleColumns : delegate.getColumnCount();
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        checkVisible(column);
        return delegate.getColumnLabel(column);
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return delegate.getColumnName(column);
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        return delegate.getSchemaName(column);
    }

    @Override
    public String getTableName(int column) throws SQLException {
        return delegate.getTableName(column);
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        return delegate.getCatalogName(column);
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        return delegate.isAutoIncrement(column);
    }

    @Override
    public int isNullable(int column) throws SQLException {
        return delegate.isNullable(column);
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        return delegate.isReadOnly(column);
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        return delegate.isWritable(column);
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        return delegate.isDefinitelyWritable(column);
    }

    /** True when result column {@code column} (1-based) is a protected column, shown through the engine. */
    boolean isProtected(int column) {
        return decoder != null && decoder.isProtected(column);
    }

    /**
     * The real driver's metadata of this result, for a front door that must describe the result on the wire as
     * the database did ({@link dev.warden.engine.EngineSession#serverMetaData}). Unlike the real connection or
     * result set, it may be handed out: it holds no row value and runs no statement of the caller's choosing.
     */
    ResultSetMetaData driverMetaData() {
        return delegate;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return Unwrapping.unwrap(this, iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}

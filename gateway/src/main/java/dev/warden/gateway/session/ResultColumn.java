package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.backend.ResultColumns;
import dev.warden.gateway.wire.ColumnWriter;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A result column as described to the client: its RowDescription fields, how {@link ColumnWriter} writes its
 * values ({@code kind}), and the java.sql type it was described for (to tell a changed result shape). Immutable.
 */
record ResultColumn(String name, int oid, short length, int format, int kind, int sqlType,
                    ResultColumns.Description origin) {

    /**
     * The columns of a result of {@code engine}'s connection in the requested formats (none: all text; one: for every column; else one per
     * column, 08P01 when their number differs); 0A000 for a binary format the gateway cannot write.
     */
    static ResultColumn[] describe(EngineSession engine, ResultSetMetaData md, short[] formats) throws SQLException {
        int n = md.getColumnCount();
        if (formats != null && formats.length > 1 && formats.length != n) {
            throw new SQLException("bind message has " + formats.length + " result formats but query has " + n
                    + " columns", "08P01");
        }
        ResultColumn[] cols = new ResultColumn[n];
        ResultColumns.Description[] described = ResultColumns.of(engine, md, n);
        for (int i = 0; i < n; i++) {
            ResultColumns.Description d = described[i];
            int format = formats == null || formats.length == 0 ? 0 : formats.length == 1 ? formats[0] : formats[i];
            int kind = ColumnWriter.kind(d.typeOid(), format);
            if (kind < 0) {
                throw new SQLException("binary result format for type " + md.getColumnTypeName(i + 1)
                        + " is not supported by the gateway", "0A000");
            }
            cols[i] = new ResultColumn(md.getColumnLabel(i + 1), d.typeOid(), d.typeLength(), format, kind,
                    md.getColumnType(i + 1), d);
        }
        return cols;
    }

    static boolean sameTypes(ResultColumn[] cols, ResultSetMetaData md) throws SQLException {
        // getColumnType is a cheap array lookup in JDBC drivers; a changed java.sql type means a new shape
        for (int i = 0; i < cols.length; i++) {
            if (md.getColumnType(i + 1) != cols[i].sqlType()) {
                return false;
            }
        }
        return true;
    }
}

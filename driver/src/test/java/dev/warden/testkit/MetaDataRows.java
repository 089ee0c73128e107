package dev.warden.testkit;

import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The rows of the DatabaseMetaData calls schema tools make on one table, as text, call by call. */
public final class MetaDataRows {

    private MetaDataRows() {
    }

    public static List<String> all(DatabaseMetaData md, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        out.add("tables " + rows(md.getTables(null, "public", table, null)));
        out.add("tables% " + rows(md.getTables(null, null, "cust%", new String[] {"TABLE", "VIEW"})));
        out.add("columns " + rows(md.getColumns(null, "public", table, null)));
        out.add("columns% " + rows(md.getColumns(null, "public", table, "e%")));
        out.add("pk " + rows(md.getPrimaryKeys(null, "public", table)));
        out.add("indexes " + rows(md.getIndexInfo(null, "public", table, false, false)));
        out.add("imported " + rows(md.getImportedKeys(null, "public", table)));
        out.add("exported " + rows(md.getExportedKeys(null, "public", table)));
        out.add("privileges " + rows(md.getTablePrivileges(null, "public", table)));
        out.add("columnPrivileges " + rows(md.getColumnPrivileges(null, "public", table, "%")));
        out.add("bestRow " + rows(md.getBestRowIdentifier(null, "public", table, DatabaseMetaData.bestRowSession, true)));
        out.add("versionColumns " + rows(md.getVersionColumns(null, "public", table)));
        out.add("schemas " + rows(md.getSchemas()));
        out.add("types " + rows(md.getTypeInfo()).length());
        return out;
    }

    public static String rows(ResultSet rs) throws SQLException {
        try (rs) {
            ResultSetMetaData m = rs.getMetaData();
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append('[');
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    sb.append(m.getColumnLabel(i)).append('=').append(rs.getString(i)).append(i < m.getColumnCount() ? ", " : "");
                }
                sb.append("]\n");
            }
            return sb.toString();
        }
    }
}

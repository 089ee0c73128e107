package dev.warden.gateway.backend;

import dev.warden.jdbc.WardenResultSetMetaData;
import java.lang.reflect.Field;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.postgresql.jdbc.PgResultSetMetaData;

/**
 * Where each result column comes from and its type modifier, as PostgreSQL's own RowDescription told pgjdbc:
 * table OID and attribute number for a column read straight from a table, and e.g. the length of a
 * {@code varchar(20)} or the precision and scale of a {@code numeric(10,2)}. Clients use them: pgjdbc's
 * {@code ResultSetMetaData} answers {@code isNullable}, {@code getBaseTableName}, {@code getPrecision}
 * and {@code getColumnDisplaySize} from them. A protected column keeps its table and column (its name is no
 * secret) but no type modifier, since it is described with its logical type, not its ciphertext's.
 *
 * <p>pgjdbc keeps these values in its {@code Field}s without a public accessor, so they are read from the
 * metadata's {@code fields} array by reflection (looked up once); where that is not possible, or the
 * backend driver is not pgjdbc, every column is described as computed (0, 0, -1), as before. Stateless and
 * thread-safe.
 */
public final class ColumnOrigins {

    /** One column's origin; {@link #COMPUTED} when not read straight from a table. */
    public record Origin(int tableOid, short attributeNumber, int typeModifier) {
        static final Origin COMPUTED = new Origin(0, (short) 0, -1);
    }

    private static final Field FIELDS = fieldsAccessor();

    private ColumnOrigins() {}

    private static Field fieldsAccessor() {
        try {
            Field f = PgResultSetMetaData.class.getDeclaredField("fields");
            f.setAccessible(true);
            return f.getType() == org.postgresql.core.Field[].class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The origins of the {@code n} columns described by {@code md} (a Warden or a pgjdbc metadata). */
    public static Origin[] of(ResultSetMetaData md, int n) {
        Origin[] origins = new Origin[n];
        java.util.Arrays.fill(origins, Origin.COMPUTED);
        if (FIELDS == null) {
            return origins;
        }
        try {
            WardenResultSetMetaData warden = md.isWrapperFor(WardenResultSetMetaData.class)
                    ? md.unwrap(WardenResultSetMetaData.class) : null;
            PgResultSetMetaData pg = warden != null ? warden.unwrapDriverMetaData(PgResultSetMetaData.class)
                    : md.isWrapperFor(PgResultSetMetaData.class) ? md.unwrap(PgResultSetMetaData.class) : null;
            if (pg == null) {
                return origins;
            }
            org.postgresql.core.Field[] fields = (org.postgresql.core.Field[]) FIELDS.get(pg);
            for (int i = 0; i < n && i < fields.length; i++) {
                org.postgresql.core.Field f = fields[i];
                boolean hidden = warden != null && warden.isProtected(i + 1);
                origins[i] = new Origin(f.getTableOid(), (short) f.getPositionInTable(), hidden ? -1 : f.getMod());
            }
        } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
            // a driver that does not say: described as computed columns
        }
        return origins;
    }
}

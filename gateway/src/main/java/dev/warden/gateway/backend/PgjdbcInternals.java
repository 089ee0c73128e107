package dev.warden.gateway.backend;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PgParameterMetaData;
import org.postgresql.jdbc.PgResultSetMetaData;

/**
 * The one place the gateway relies on pgjdbc internals: what PostgreSQL itself said about a statement's
 * result columns (RowDescription: type OID, type length, type modifier, table OID, attribute number) and
 * parameters (ParameterDescription: type OIDs), which pgjdbc keeps in private fields without a public
 * accessor, and, for a backend without Warden, the transaction status of its last ReadyForQuery
 * ({@code BaseConnection.getTransactionState}; through Warden the engine session reads it). The gateway describes results with the backend's own values instead of mapping JDBC type names
 * back to OIDs, so that a type created a moment ago, a type of another schema or a dropped and recreated type
 * is described exactly as PostgreSQL would.
 *
 * <p>The fields are looked up once; {@code PgjdbcInternalsTest} fails when a pgjdbc upgrade renames or retypes
 * them. Should they be missing at run time anyway, {@link #fields} and {@link #parameterOids} answer null and
 * the caller falls back to type names. Stateless and thread-safe.
 */
public final class PgjdbcInternals {

    /** {@code PgResultSetMetaData.fields}: the RowDescription of the result, one {@code Field} per column. */
    static final Field RESULT_FIELDS = declared(PgResultSetMetaData.class, "fields", org.postgresql.core.Field[].class);
    /** {@code PgParameterMetaData.oids}: the ParameterDescription of the statement. */
    static final Field PARAMETER_OIDS = declared(PgParameterMetaData.class, "oids", int[].class);

    /** One result column as PostgreSQL's RowDescription described it. */
    record WireField(int typeOid, short typeLength, int typeModifier, int tableOid, short attributeNumber) {}

    private PgjdbcInternals() {}

    private static Field declared(Class<?> owner, String name, Class<?> type) {
        try {
            Field f = owner.getDeclaredField(name);
            if (f.getType() != type) return null;
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The RowDescription fields behind {@code md} (pgjdbc's own metadata, not a wrapper), or null when it is
     * not pgjdbc's or its fields cannot be read.
     */
    static WireField[] fields(ResultSetMetaData md) {
        if (RESULT_FIELDS == null || !(md instanceof PgResultSetMetaData)) return null;
        try {
            org.postgresql.core.Field[] fields = (org.postgresql.core.Field[]) RESULT_FIELDS.get(md);
            WireField[] out = new WireField[fields.length];
            for (int i = 0; i < fields.length; i++) {
                org.postgresql.core.Field f = fields[i];
                out[i] = new WireField(f.getOID(), (short) f.getLength(), f.getMod(), f.getTableOid(),
                        (short) f.getPositionInTable());
            }
            return out;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The parameter type OIDs behind {@code md} (pgjdbc's own), or null when they cannot be read. */
    public static int[] parameterOids(ParameterMetaData md) {
        if (PARAMETER_OIDS == null || md == null) return null;
        try {
            PgParameterMetaData pg = md instanceof PgParameterMetaData p ? p
                    : md.isWrapperFor(PgParameterMetaData.class) ? md.unwrap(PgParameterMetaData.class) : null;
            return pg == null ? null : ((int[]) PARAMETER_OIDS.get(pg)).clone();
        } catch (SQLException | ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A connection's transaction status as pgjdbc last received it; see {@link #transactionStatus}. */
    @FunctionalInterface
    interface TransactionStatus {
        /** 'I', 'T' or 'E'; 0 when the driver does not tell. */
        char get();
    }

    /**
     * The transaction status of {@code conn} (a pool's proxy is looked through) from pgjdbc's
     * {@code BaseConnection.getTransactionState}: PostgreSQL's last ReadyForQuery. Another driver's: always 0.
     */
    static TransactionStatus transactionStatus(Connection conn) {
        try {
            if (conn.isWrapperFor(BaseConnection.class)) {
                BaseConnection pg = conn.unwrap(BaseConnection.class);
                return () -> switch (pg.getTransactionState()) {
                    case IDLE -> 'I';
                    case OPEN -> 'T';
                    case FAILED -> 'E';
                };
            }
        } catch (SQLException | RuntimeException e) {
            // a driver that cannot say: the inferred status serves
        }
        return () -> 0;
    }
}

package dev.warden.gateway.backend;

import dev.warden.gateway.wire.PgTypeCatalog;
import dev.warden.engine.EngineSession;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * How each result column is described in RowDescription: its type OID, type length and type modifier, and
 * where it comes from (table OID and attribute number), as PostgreSQL's own RowDescription described it to
 * pgjdbc ({@link PgjdbcInternals}). Clients rely on all of them: psycopg2 picks its typecaster by OID (a type
 * created, or dropped and recreated, a moment ago included), pgjdbc's {@code ResultSetMetaData} answers
 * {@code isNullable}, {@code getBaseTableName}, {@code getPrecision} and {@code getColumnDisplaySize} from
 * them.
 *
 * <p>A protected column shown through Warden keeps its table and column (its name is no secret) but is
 * described with its logical type, not its ciphertext's, and no type modifier. When the backend driver is
 * not pgjdbc (or its internals cannot be read), types are mapped from the JDBC type name among the built-in
 * types ({@link PgTypeCatalog#builtin}), anything else as text, and every column described as computed.
 * Stateless and thread-safe.
 */
public final class ResultColumns {

    /** One column as described on the wire. */
    public record Description(int typeOid, short typeLength, int typeModifier, int tableOid, short attributeNumber) {}

    private ResultColumns() {}

    /** The descriptions of the {@code n} columns of {@code md}, a result of {@code session}'s connection. */
    public static Description[] of(EngineSession session, ResultSetMetaData md, int n) throws SQLException {
        PgjdbcInternals.WireField[] fields = PgjdbcInternals.fields(session.serverMetaData(md));
        Description[] out = new Description[n];
        for (int i = 0; i < n; i++) {
            PgjdbcInternals.WireField f = fields != null && i < fields.length ? fields[i] : null;
            if (session.isProtected(md, i + 1)) {
                // the plaintext's type, as the engine shows it; the ciphertext's modifier would be a lie
                PgTypeCatalog.Builtin t = PgTypeCatalog.builtin(md.getColumnTypeName(i + 1));
                out[i] = new Description(t.oid(), t.length(), -1, f == null ? 0 : f.tableOid(),
                        f == null ? 0 : f.attributeNumber());
            } else if (f != null) {
                out[i] = new Description(f.typeOid(), f.typeLength(), f.typeModifier(), f.tableOid(),
                        f.attributeNumber());
            } else {
                PgTypeCatalog.Builtin t = PgTypeCatalog.builtin(md.getColumnTypeName(i + 1));
                out[i] = new Description(t.oid(), t.length(), -1, 0, (short) 0);
            }
        }
        return out;
    }
}

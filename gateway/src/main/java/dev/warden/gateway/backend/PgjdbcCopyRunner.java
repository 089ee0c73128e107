package dev.warden.gateway.backend;

import dev.warden.jdbc.WardenConnection;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOperation;

/**
 * {@link CopyRunner} over pgjdbc's copy API, reached with {@code connection.unwrap(PGConnection.class)}: the
 * gateway's COPY path ({@link BackendTransaction} and {@link PgjdbcInternals} are the other two places it
 * reads pgjdbc). Thread-safe (stateless).
 */
public final class PgjdbcCopyRunner implements CopyRunner {

    /**
     * Through Warden, the COPY text is first guarded and audited by the engine, which hands out the real
     * connection only for a COPY that touches no protected table; a plain backend is unwrapped directly.
     */
    private static org.postgresql.copy.CopyManager copyApi(Connection connection, String sql) throws SQLException {
        if (connection.isWrapperFor(WardenConnection.class)) {
            return connection.unwrap(WardenConnection.class).unwrapForCopy(sql, PGConnection.class).getCopyAPI();
        }
        return connection.unwrap(PGConnection.class).getCopyAPI();
    }

    @Override
    public CopyIn copyIn(Connection connection, String sql) throws SQLException {
        org.postgresql.copy.CopyIn in = copyApi(connection, sql).copyIn(sql);
        return new CopyIn() {
            @Override
            public int format() {
                return in.getFormat();
            }

            @Override
            public int[] columnFormats() {
                return formats(in);
            }

            @Override
            public void write(byte[] data) throws SQLException {
                in.writeToCopy(data, 0, data.length);
            }

            @Override
            public long end() throws SQLException {
                return in.endCopy();
            }

            @Override
            public void cancel() throws SQLException {
                if (in.isActive()) {
                    in.cancelCopy();
                }
            }
        };
    }

    @Override
    public CopyOut copyOut(Connection connection, String sql) throws SQLException {
        org.postgresql.copy.CopyOut out = copyApi(connection, sql).copyOut(sql);
        return new CopyOut() {
            @Override
            public int format() {
                return out.getFormat();
            }

            @Override
            public int[] columnFormats() {
                return formats(out);
            }

            @Override
            public byte[] read() throws SQLException {
                return out.readFromCopy();
            }

            @Override
            public long rowCount() {
                return out.getHandledRowCount();
            }

            @Override
            public void cancel() throws SQLException {
                if (out.isActive()) {
                    out.cancelCopy();
                }
            }
        };
    }

    private static int[] formats(CopyOperation op) {
        int[] f = new int[op.getFieldCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = op.getFieldFormat(i);
        }
        return f;
    }
}

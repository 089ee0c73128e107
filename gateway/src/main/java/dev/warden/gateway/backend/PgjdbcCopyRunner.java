package dev.warden.gateway.backend;

import dev.warden.engine.EngineSession;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOperation;

/**
 * {@link CopyRunner} over pgjdbc's public copy API ({@code PGConnection.getCopyAPI()}), started through the
 * session's {@link EngineSession#copy}: through Warden the COPY text is guarded and audited first, and the real
 * connection reaches this class only for a COPY that touches no protected table. Thread-safe (stateless).
 */
public final class PgjdbcCopyRunner implements CopyRunner {

    private static org.postgresql.copy.CopyManager copyApi(Connection real) throws SQLException {
        return real.unwrap(PGConnection.class).getCopyAPI();
    }

    @Override
    public CopyIn copyIn(EngineSession session, String sql) throws SQLException {
        org.postgresql.copy.CopyIn in = session.copy(sql, (real, text) -> copyApi(real).copyIn(text));
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
    public CopyOut copyOut(EngineSession session, String sql) throws SQLException {
        org.postgresql.copy.CopyOut out = session.copy(sql, (real, text) -> copyApi(real).copyOut(text));
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

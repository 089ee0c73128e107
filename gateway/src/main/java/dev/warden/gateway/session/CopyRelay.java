package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.wire.ClientEncoding;
import dev.warden.gateway.backend.CopyRunner;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * COPY between the client and a backend connection through a {@link CopyRunner}: COPY FROM STDIN takes the
 * client's CopyData/CopyDone/CopyFail from a {@link CopyInput}; COPY TO STDOUT streams rows with the same
 * backpressure as query results. Runs on the session's thread.
 */
public final class CopyRelay {

    /** Where a COPY FROM STDIN's messages come from, while the session's thread waits for them. */
    public interface CopyInput {
        /** A COPY FROM STDIN starts taking data: copy messages received from now on belong to it. */
        default void begin() {}

        /** The next CopyData, CopyDone or CopyFail; throws {@link ClientOutput.ClientGoneException} if none can come. */
        PgFrame take() throws SQLException;

        /** The COPY is over. */
        default void end() {}
    }

    private final CopyInput input;
    private final ClientOutput out;
    private final CopyRunner runner;

    CopyRelay(CopyInput input, ClientOutput out, CopyRunner runner) {
        this.input = input;
        this.out = out;
        this.runner = runner;
    }

    /** Runs {@code COPY ... FROM STDIN}: CopyInResponse, the client's data, then CommandComplete. */
    void copyIn(EngineSession engine, String sql) throws SQLException {
        CopyRunner.CopyIn in = runner.copyIn(engine, sql);
        input.begin();
        try {
            BackendMessages.copyResponse(out.buf(), 'G', in.format(), in.columnFormats());
            out.flush();
            // text and CSV data are the client's text, cut anywhere; binary COPY data is not text
            ClientEncoding.StreamDecoder text = in.format() == 0 && out.encoding().converts()
                    ? out.encoding().decoder() : null;
            while (true) {
                PgFrame f = input.take();
                switch (f.type()) {
                    case 'd' -> in.write(text == null ? f.payload() : text.toUtf8(f.payload()));
                    case 'c' -> {
                        if (text != null) {
                            text.finish();
                        }
                        long rows = in.end();
                        BackendMessages.commandComplete(out.buf(), "COPY " + rows);
                        return;
                    }
                    case 'f' -> {
                        String msg = f.readCString();
                        cancelQuietly(in);
                        throw new SQLException("COPY from stdin failed: " + msg, "57014");
                    }
                    default -> {
                        cancelQuietly(in);
                        throw new ClientOutput.ClientGoneException();
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            cancelQuietly(in);
            throw e;
        } finally {
            input.end();
        }
    }

    private static void cancelQuietly(CopyRunner.CopyIn in) {
        try {
            in.cancel();
        } catch (SQLException | RuntimeException ignored) {
            // the copy is already over
        }
    }

    /**
     * Runs {@code COPY (query) TO STDOUT} as the query through the engine (decrypted, masked or refused per role,
     * audited as that read), then CopyOutResponse, one CopyData per row in the copy's format, CopyDone and
     * CommandComplete. A refusal comes before CopyOutResponse, as a plain error.
     */
    void copyQueryOut(Connection conn, CopyQuery copy, int fetchSize) throws SQLException {
        try (Statement st = conn.createStatement()) {
            if (!conn.getAutoCommit()) st.setFetchSize(fetchSize);
            try (ResultSet rs = st.executeQuery(copy.query())) {
                ResultSetMetaData md = rs.getMetaData();
                int n = md.getColumnCount();
                BackendMessages.copyResponse(out.buf(), 'H', 0, new int[n]);
                ClientEncoding enc = out.encoding();
                String[] values = new String[n];
                if (copy.header()) {
                    for (int i = 0; i < n; i++) values[i] = md.getColumnLabel(i + 1);
                    byte[] line = enc.fromUtf8(copy.row(values));
                    BackendMessages.copyData(out.buf(), line, 0, line.length);
                }
                long rows = 0;
                while (rs.next()) {
                    for (int i = 0; i < n; i++) values[i] = rs.getString(i + 1);
                    byte[] line = enc.fromUtf8(copy.row(values));
                    BackendMessages.copyData(out.buf(), line, 0, line.length);
                    rows++;
                    if (out.chunkReady()) out.flushChunk();
                }
                BackendMessages.copyDone(out.buf());
                BackendMessages.commandComplete(out.buf(), "COPY " + rows);
            }
        }
    }

    /** Runs {@code COPY ... TO STDOUT}: CopyOutResponse, CopyData per row, CopyDone, CommandComplete. */
    void copyOut(EngineSession engine, String sql) throws SQLException {
        CopyRunner.CopyOut co = runner.copyOut(engine, sql);
        try {
            BackendMessages.copyResponse(out.buf(), 'H', co.format(), co.columnFormats());
            // rows of a text or CSV copy are text in the backend's UTF-8 (a binary copy's are not text)
            ClientEncoding enc = co.format() == 0 ? out.encoding() : ClientEncoding.UTF8;
            byte[] row;
            while ((row = co.read()) != null) {
                row = enc.fromUtf8(row);
                BackendMessages.copyData(out.buf(), row, 0, row.length);
                if (out.chunkReady()) {
                    out.flushChunk();
                }
            }
            BackendMessages.copyDone(out.buf());
            BackendMessages.commandComplete(out.buf(), "COPY " + co.rowCount());
        } catch (SQLException | RuntimeException e) {
            try {
                co.cancel();
            } catch (SQLException | RuntimeException ignored) {
                // the copy is already over
            }
            throw e;
        }
    }
}

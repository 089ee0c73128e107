package dev.warden.gateway.session;

import dev.warden.engine.EngineSession;
import dev.warden.gateway.backend.BackendCancel;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientEncoding;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.ColumnWriter;
import io.netty.buffer.ByteBuf;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;

/**
 * Sends results to the client (RowDescription, DataRows streamed as the client's socket takes them) and knows
 * which statement runs, so that a CancelRequest stops it: one that reaches the backend during an execute or a
 * fetch fails it (57014); one that arrives while a result streams between two fetches stops the stream at its
 * next row. Everything runs on the session's thread except {@link #cancel} and {@link #isRunning}, which are
 * thread-safe.
 */
final class ResultStreamer {

    private static final int CANCEL_RETRIES = 200;
    private static final long CANCEL_RETRY_MILLIS = 50;

    private final ClientOutput out;
    /** The backend connection's engine session, which records a stream the client cancelled. */
    private EngineSession engine;
    private volatile Statement running;
    /** True while a result streams to the client (see {@link #streamCancelled}). */
    private volatile boolean streaming;
    /**
     * Set by a cancel while a result streams: the backend, idle between two fetches of the result, would not
     * see the cancel, so the stream stops itself at its next row with 57014, as PostgreSQL would.
     */
    private volatile boolean streamCancelled;
    /** Counts streams, so that a cancel repeated for one stream never reaches a later one. */
    private volatile long streamNumber;
    private long rowsWritten;

    ResultStreamer(ClientOutput out) {
        this.out = out;
    }

    /** The backend connection is open. */
    void attach(EngineSession engineSession) {
        engine = engineSession;
    }

    /** Marks {@code st} as the statement a cancel stops, until {@link #stopped}. */
    void running(Statement st) {
        running = st;
    }

    void stopped() {
        running = null;
    }

    /** True while a statement runs on the backend. Any thread. */
    boolean isRunning() {
        return running != null;
    }

    /** The rows the last stream wrote. */
    long rowsWritten() {
        return rowsWritten;
    }

    /** Cancels the running statement of {@code backend}, if any, on {@code workers}. Any thread. */
    void cancel(Connection backend, Executor workers) {
        Statement s = running;
        long stream = streaming ? streamNumber : -1;
        if (stream >= 0) {
            streamCancelled = true;
        }
        if (s != null) {
            workers.execute(() -> {
                try {
                    cancelOn(s, backend, stream >= 0);
                    // While a result streams, the backend is idle between two fetches and PostgreSQL ignores a
                    // cancel that reaches an idle backend: repeat it until the stream has stopped (at its next
                    // row, or its fetch failing with 57014), at most CANCEL_RETRIES times.
                    for (int i = 0; i < CANCEL_RETRIES && stillStreaming(stream); i++) {
                        Thread.sleep(CANCEL_RETRY_MILLIS);
                        if (stillStreaming(stream)) {
                            cancelOn(s, backend, true);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (SQLException | RuntimeException ignored) {
                    // the statement finished or the connection broke: nothing left to cancel
                }
            });
        }
    }

    /**
     * Sends the backend a cancel. While a result streams, pgjdbc's statement is idle between fetches and its own
     * {@code cancel()} does nothing (it cancels only inside an execute), so the connection's cancel is used: it
     * reaches the backend whatever the statement's state (found when a cancel during a cursor fetch was lost).
     */
    private static void cancelOn(Statement statement, Connection backend, boolean streaming) throws SQLException {
        if (streaming && BackendCancel.canCancel(backend)) {
            BackendCancel.cancel(backend);
        } else {
            statement.cancel();
        }
    }

    private boolean stillStreaming(long stream) {
        return stream >= 0 && streaming && streamNumber == stream;
    }

    void rowDescription(ResultColumn[] cols) throws SQLException {
        ByteBuf b = out.buf();
        int start = b.writerIndex();
        int at = BackendMessages.begin(b, 'T');
        b.writeShort(cols.length);
        ClientEncoding enc = out.encoding();
        for (ResultColumn c : cols) {
            try {
                enc.write(b, c.name()); // 22P05 for a name the client's encoding cannot spell, as PostgreSQL
            } catch (SQLException e) {
                b.writerIndex(start); // no half message before the ErrorResponse
                throw e;
            }
            b.writeByte(0);
            b.writeInt(c.origin().tableOid());
            b.writeShort(c.origin().attributeNumber());
            b.writeInt(c.oid());
            b.writeShort(c.length());
            b.writeInt(c.origin().typeModifier());
            b.writeShort(c.format());
        }
        BackendMessages.end(b, at);
    }

    /**
     * {@link #stream} while a CancelRequest can stop it: one that reaches the backend during a fetch fails the
     * fetch (57014); one that arrives between fetches stops the stream at its next row.
     */
    boolean streamCancellable(Statement st, ResultSet rs, ResultColumn[] cols, long limit) throws SQLException {
        streamCancelled = false;
        streamNumber++;  // only this thread writes it
        running = st;
        streaming = true;
        try {
            return stream(rs, cols, limit);
        } finally {
            streaming = false;
            running = null;
            streamCancelled = false;
        }
    }

    /** The error of a stream its client cancelled; through Warden, the statement's record says it failed. */
    private SQLException cancelledWhileStreaming(ResultSet rs) throws SQLException {
        SQLException cancelled = new SQLException("canceling statement due to user request", "57014");
        engine.readingFailed(rs, cancelled);
        return cancelled;
    }

    /**
     * Streams up to {@code limit} rows (0: all); sets {@link #rowsWritten}; true when the result is exhausted.
     * On an error (a value that cannot be decrypted, a fetch cancelled or lost) only whole rows have been
     * written; the caller answers with the ErrorResponse.
     */
    private boolean stream(ResultSet rs, ResultColumn[] cols, long limit) throws SQLException {
        long n = 0;
        boolean exhausted = false;
        int count = cols.length;
        ClientEncoding enc = out.encoding();
        while (limit == 0 || n < limit) {
            if (streamCancelled) {
                rowsWritten = n;
                throw cancelledWhileStreaming(rs);
            }
            if (!rs.next()) {
                exhausted = true;
                break;
            }
            ByteBuf b = out.buf();
            int rowStart = b.writerIndex();
            int at = BackendMessages.begin(b, 'D');
            b.writeShort(count);
            try {
                for (int i = 0; i < count; i++) {
                    ResultColumn c = cols[i];
                    ColumnWriter.write(b, rs, i + 1, c.kind(), c.oid(), enc);
                }
            } catch (SQLException | RuntimeException e) {
                // a value that cannot be shown (XX001: not decryptable) fails the statement here: the rows
                // before it stay sent, this row's partial DataRow is taken back so that the ErrorResponse the
                // caller sends next is the client's next message (a half row would desynchronise the protocol)
                b.writerIndex(rowStart);
                rowsWritten = n;
                throw e;
            }
            BackendMessages.end(b, at);
            n++;
            if (out.chunkReady()) {
                out.flushChunk();
            }
        }
        rowsWritten = n;
        return exhausted;
    }
}

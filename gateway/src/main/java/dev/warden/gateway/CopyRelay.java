package dev.warden.gateway;

import io.netty.channel.Channel;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * COPY between the client and a backend connection through a {@link CopyRunner}. For COPY FROM STDIN the
 * event loop queues the client's CopyData/CopyDone/CopyFail here ({@link #offer}) instead of behind the
 * session's other messages, since the session's worker is the one waiting for them; the client socket stops
 * being read while too much is queued. COPY TO STDOUT streams rows with the same writability backpressure
 * as query results. {@link #offer} and {@link #clientGone} are called on the event loop, everything else on
 * the session's worker.
 */
final class CopyRelay {

    /** Queued COPY data above which the client socket stops being read, and below which it resumes. */
    private static final long COPY_QUEUE_HIGH = 8L * 1024 * 1024;
    private static final long COPY_QUEUE_LOW = 2L * 1024 * 1024;

    private final Channel channel;
    private final ClientOutput out;
    private final CopyRunner runner;
    private final LinkedBlockingQueue<PgFrame> copyQueue = new LinkedBlockingQueue<>();
    private final AtomicLong copyQueued = new AtomicLong();
    private volatile boolean copying;
    private volatile boolean gone;

    CopyRelay(Channel channel, ClientOutput out, CopyRunner runner) {
        this.channel = channel;
        this.out = out;
        this.runner = runner;
    }

    /** The client went away: a copy waiting for its data ends. */
    void clientGone() {
        gone = true;
        copyQueue.add(new PgFrame((byte) 'X', new byte[0]));
    }

    /** From the event loop: CopyData, CopyDone or CopyFail. */
    void offer(PgFrame f) {
        if (!copying) {
            return; // PostgreSQL ignores copy messages outside COPY
        }
        copyQueue.add(f);
        if (copyQueued.addAndGet(f.payload().length) > COPY_QUEUE_HIGH) {
            channel.config().setAutoRead(false);
        }
    }

    private PgFrame takeCopyFrame() throws SQLException {
        try {
            PgFrame f;
            while ((f = copyQueue.poll(200, TimeUnit.MILLISECONDS)) == null) {
                if (gone) {
                    throw new ClientOutput.ClientGoneException();
                }
            }
            if (copyQueued.addAndGet(-f.payload().length) < COPY_QUEUE_LOW && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted during COPY", "57014");
        }
    }

    /** Runs {@code COPY ... FROM STDIN}: CopyInResponse, the client's data, then CommandComplete. */
    void copyIn(Connection conn, String sql) throws SQLException {
        copyQueue.clear();
        copyQueued.set(0);
        CopyRunner.CopyIn in = runner.copyIn(conn, sql);
        copying = true;
        try {
            BackendMessages.copyResponse(out.buf(), 'G', in.format(), in.columnFormats());
            out.flush();
            while (true) {
                PgFrame f = takeCopyFrame();
                switch (f.type()) {
                    case 'd' -> in.write(f.payload());
                    case 'c' -> {
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
            copying = false;
            if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
    }

    private static void cancelQuietly(CopyRunner.CopyIn in) {
        try {
            in.cancel();
        } catch (SQLException | RuntimeException ignored) {
            // the copy is already over
        }
    }

    /** Runs {@code COPY ... TO STDOUT}: CopyOutResponse, CopyData per row, CopyDone, CommandComplete. */
    void copyOut(Connection conn, String sql) throws SQLException {
        CopyRunner.CopyOut co = runner.copyOut(conn, sql);
        try {
            BackendMessages.copyResponse(out.buf(), 'H', co.format(), co.columnFormats());
            byte[] row;
            while ((row = co.read()) != null) {
                BackendMessages.copyData(out.buf(), row, 0, row.length);
                if (out.chunkReady()) {
                    out.flushChunk();
                }
            }
            BackendMessages.copyDone(out.buf());
            BackendMessages.commandComplete(out.buf(), "COPY " + co.rowCount());
        } catch (RuntimeException e) {
            try {
                co.cancel();
            } catch (SQLException | RuntimeException ignored) {
                // the copy is already over
            }
            throw e;
        }
    }
}

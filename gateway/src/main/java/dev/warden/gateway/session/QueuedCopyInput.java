package dev.warden.gateway.session;

import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import io.netty.channel.Channel;
import java.sql.SQLException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * COPY FROM STDIN data for a session on the event loop: the event loop queues the client's CopyData, CopyDone
 * and CopyFail here ({@link #offer}) instead of behind the session's other messages, since the session's
 * worker is the one waiting for them; the client socket stops being read while too much is queued.
 * {@link #offer} and {@link #clientGone} are called on the event loop, the rest on the session's worker.
 */
public final class QueuedCopyInput implements CopyRelay.CopyInput {

    /** Queued COPY data above which the client socket stops being read, and below which it resumes. */
    private static final long COPY_QUEUE_HIGH = 8L * 1024 * 1024;
    private static final long COPY_QUEUE_LOW = 2L * 1024 * 1024;

    private final Channel channel;
    private final LinkedBlockingQueue<PgFrame> copyQueue = new LinkedBlockingQueue<>();
    private final AtomicLong copyQueued = new AtomicLong();
    private volatile boolean copying;
    private volatile boolean gone;

    public QueuedCopyInput(Channel channel) {
        this.channel = channel;
    }

    /** The client went away: a copy waiting for its data ends. */
    public void clientGone() {
        gone = true;
        copyQueue.add(new PgFrame((byte) 'X', new byte[0]));
    }

    /** From the event loop: CopyData, CopyDone or CopyFail. */
    public void offer(PgFrame f) {
        if (!copying) {
            return; // PostgreSQL ignores copy messages outside COPY
        }
        copyQueue.add(f);
        if (copyQueued.addAndGet(f.payload().length) > COPY_QUEUE_HIGH) {
            channel.config().setAutoRead(false);
        }
    }

    @Override
    public void begin() {
        copyQueue.clear();
        copyQueued.set(0);
        copying = true;
    }

    @Override
    public PgFrame take() throws SQLException {
        try {
            PgFrame f;
            while ((f = copyQueue.poll(200, TimeUnit.MILLISECONDS)) == null) {
                if (gone) {
                    throw new ClientOutput.ClientGoneException();
                }
            }
            if (f.type() == 'X') {
                throw new ClientOutput.ClientGoneException();
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

    @Override
    public void end() {
        copying = false;
        if (!channel.config().isAutoRead()) {
            channel.config().setAutoRead(true);
        }
    }
}

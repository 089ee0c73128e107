package dev.warden.gateway.session;

import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import io.netty.channel.Channel;
import java.sql.SQLException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * COPY FROM STDIN data for a session on the event loop: the event loop queues the client's CopyData, CopyDone
 * and CopyFail here ({@link #offer}) instead of behind the session's other messages, since the session's
 * worker is the one waiting for them; the client socket stops being read while too much is queued.
 * {@link #offer} and {@link #clientGone} are called on the event loop, the rest on the session's worker.
 *
 * <p>Flow control: the event loop pauses reading above {@link #COPY_QUEUE_HIGH} queued bytes and the worker
 * resumes it below {@link #COPY_QUEUE_LOW}. Both decisions are taken under one lock on the amount queued at
 * that moment, and a frame is queued only after its pause: a pause can never land after the worker drained the
 * queue. (It did: the worker, woken by a 20 MB CopyData, took it and found reading still on before the event
 * loop paused it; it then waited for data the paused socket would never read, and with the socket unread a
 * departed client went unnoticed too. psycopg2's test_copy_from_insane_size hung in 2 of 6 runs.)
 */
public final class QueuedCopyInput implements CopyRelay.CopyInput {

    /** Queued COPY data above which the client socket stops being read, and below which it resumes. */
    static final long COPY_QUEUE_HIGH = 8L * 1024 * 1024;
    static final long COPY_QUEUE_LOW = 2L * 1024 * 1024;

    /** Switches reading of the client socket on (true) or off (false). */
    private final Consumer<Boolean> reading;
    private final long high;
    private final long low;
    private final LinkedBlockingQueue<PgFrame> copyQueue = new LinkedBlockingQueue<>();
    private final AtomicLong copyQueued = new AtomicLong();
    /** Guards {@link #paused} and the switching of {@link #reading} that follows it. */
    private final Object flow = new Object();
    /** True while this COPY has stopped the client socket from being read. */
    private volatile boolean paused;
    private volatile boolean copying;
    private volatile boolean gone;

    public QueuedCopyInput(Channel channel) {
        this(on -> channel.config().setAutoRead(on), COPY_QUEUE_HIGH, COPY_QUEUE_LOW);
    }

    /** For tests: any reading switch and marks. */
    QueuedCopyInput(Consumer<Boolean> reading, long high, long low) {
        this.reading = reading;
        this.high = high;
        this.low = low;
    }

    /** The client went away: a copy waiting for its data ends. */
    public void clientGone() {
        gone = true;
        copyQueue.add(new PgFrame((byte) 'X', new byte[0]));
    }

    /**
     * From the event loop: CopyData, CopyDone or CopyFail. The frame is counted, and the socket paused if need
     * be, before the worker can see it: a worker woken by the frame (a single 20 MB CopyData is above the high
     * mark on its own) then always finds the pause it has to lift.
     */
    public void offer(PgFrame f) {
        if (!copying) {
            return; // PostgreSQL ignores copy messages outside COPY
        }
        if (copyQueued.addAndGet(f.payload().length) > high && !paused) {
            synchronized (flow) {
                // the worker may have taken frames since the sum above: decide on what is queued now
                if (!paused && copying && copyQueued.get() > high) {
                    paused = true;
                    reading.accept(false);
                }
            }
        }
        copyQueue.add(f);
    }

    /** True while the client socket is not being read because too much COPY data is queued. For tests. */
    boolean isPaused() {
        return paused;
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
            if (copyQueued.addAndGet(-f.payload().length) < low) {
                resume(false);  // under the lock whatever paused says now: a pause may be being decided
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted during COPY", "57014");
        }
    }

    /** Reads the client socket again: below the low mark, or whatever is queued once the COPY is over. */
    private void resume(boolean copyOver) {
        synchronized (flow) {
            if (paused && (copyOver || copyQueued.get() < low)) {
                paused = false;
                reading.accept(true);
            }
        }
    }

    @Override
    public void end() {
        synchronized (flow) {
            copying = false;
        }
        resume(true);
    }
}

package dev.warden.gateway.transport;

import dev.warden.gateway.wire.PgFrameReader;
import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgFrameDecoder;
import java.io.Closeable;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A client connection after it has left the event loop: the session's own thread reads frontend messages from
 * it and writes replies to it, so a request costs no thread hand-off (two per request through the event loop,
 * which on a 2-core machine cost more than the JDBC work itself). Over TLS, the session thread also decrypts
 * and encrypts ({@link ClientTls}).
 *
 * <p>The socket stays non-blocking, with a private {@link Selector} for the session thread to wait for input
 * or for room to write. While the session thread is busy with the backend, the {@link #probeClosed liveness
 * probe} (another thread) reads whatever the client sent meanwhile into the same input buffer, so a client
 * that vanishes mid-query is noticed and its statement cancelled. The input buffer is guarded by a lock;
 * everything else belongs to the session thread.
 */
public final class ClientSocket implements Closeable {

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ReentrantLock inputLock = new ReentrantLock();
    /** Held while encrypting and writing, so that close_notify does not cut into a record. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The connection's TLS, or null for plain text. Its input side is guarded by inputLock. */
    private final ClientTls tls;
    /** Received, not yet decoded bytes. Guarded by inputLock. */
    private final SocketFrameInput in;
    /** Guarded by inputLock. */
    private boolean endOfStream;
    /**
     * The last untimed read found nothing: the client waits for each reply before it sends again (as pgbench,
     * psql and most drivers do), so the next untimed receive waits for input before reading instead of
     * trying a read that finds nothing first (one system call fewer per request). Guarded by inputLock.
     */
    private boolean waitBeforeReading;
    /** Decoded frames to hand out before anything else: leftovers of the event loop, or held back during COPY. */
    private final ArrayDeque<PgFrame> held = new ArrayDeque<>();

    /**
     * @param decoded frames the event loop decoded but did not deliver, in order
     * @param undecoded bytes the event loop received after them
     */
    public ClientSocket(SocketChannel channel, List<PgFrame> decoded, byte[] undecoded, int maxMessageBytes)
            throws IOException {
        this(channel, null, decoded, undecoded, maxMessageBytes);
    }

    /**
     * @param tls the connection's TLS, null for plain text
     * @param decoded frames the event loop decoded but did not deliver, in order
     * @param undecoded (decrypted) bytes the event loop received after them
     */
    public ClientSocket(SocketChannel channel, ClientTls tls, List<PgFrame> decoded, byte[] undecoded, int maxMessageBytes)
            throws IOException {
        this.channel = channel;
        this.tls = tls;
        this.selector = Selector.open();
        try {
            channel.configureBlocking(false);
            this.key = channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
        this.in = new SocketFrameInput(undecoded, maxMessageBytes, true);
        held.addAll(decoded);
    }

    /**
     * The frames that arrived together, at least one, waiting for input if none has; null once the client
     * has closed the connection. Frames received together are handled together (several Executes before a
     * Sync run as one implicit transaction).
     */
    List<PgFrame> readFrames() throws IOException {
        return readFrames(0);
    }

    /**
     * As {@link #readFrames()}, but waits at most {@code waitMillis} (0: as long as it takes; negative: not at
     * all) and then returns an empty list: a session that listens for notifications waits for them meanwhile.
     */
    List<PgFrame> readFrames(long waitMillis) throws IOException {
        long deadline = waitMillis != 0 ? System.nanoTime() + Math.max(waitMillis, 0) * 1_000_000 : 0;
        List<PgFrame> frames = new ArrayList<>(4);
        frames.addAll(held);
        held.clear();
        inputLock.lock();
        try {
            PgFrame f;
            while ((f = decodeOne()) != null) {
                frames.add(f);
            }
            while (frames.isEmpty()) {
                if (endOfStream) {
                    return null;
                }
                if (!receive(waitMillis != 0, deadline)) {
                    return frames;
                }
                while ((f = decodeOne()) != null) {
                    frames.add(f);
                }
            }
            return frames;
        } finally {
            inputLock.unlock();
        }
    }

    /**
     * The next CopyData, CopyDone or CopyFail for a COPY FROM STDIN, waiting for it; other messages are held
     * for after the COPY, as the event-loop transport queues them. Null once the client has closed.
     */
    public PgFrame readCopyFrame() throws IOException {
        while (true) {
            PgFrame f;
            inputLock.lock();
            try {
                while ((f = decodeOne()) == null) {
                    if (endOfStream) {
                        return null;
                    }
                    receive(false, 0);
                }
            } finally {
                inputLock.unlock();
            }
            byte t = f.type();
            if (t == 'd' || t == 'c' || t == 'f') {
                return f;
            }
            held.add(f);
        }
    }

    /** Writes all of {@code src}, waiting while the client's receive window is full. Session thread only. */
    void write(ByteBuffer src) throws IOException {
        if (tls != null) {
            writeLock.lock();
            try {
                tls.write(channel, src, this::awaitWritable);
            } finally {
                writeLock.unlock();
            }
            return;
        }
        while (src.hasRemaining()) {
            if (channel.write(src) == 0) {
                awaitWritable();
            }
        }
    }

    private void awaitWritable() throws IOException {
        key.interestOps(SelectionKey.OP_WRITE);
        try {
            waitReady();
        } finally {
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }
    }

    /**
     * From the liveness probe, while the session thread runs a statement: takes in what the client has sent
     * (kept for the session) and reports whether the client has closed the connection. Never blocks; skips
     * when the session thread holds the input.
     */
    public boolean probeClosed() {
        if (!inputLock.tryLock()) {
            return false;
        }
        try {
            if (endOfStream || !channel.isOpen()) {
                return true;
            }
            if (tls != null) {
                if (tls.readAhead(channel)) {
                    endOfStream = true;
                }
                return endOfStream;
            }
            if (in.full()) {
                return false; // the client has sent a lot ahead; the session will read it first
            }
            try {
                if (channel.read(in.receiving()) < 0) {
                    endOfStream = true;
                }
            } finally {
                in.received();
            }
            return endOfStream;
        } catch (IOException e) {
            endOfStream = true;
            return true;
        } finally {
            inputLock.unlock();
        }
    }

    /** Closes the connection; a session thread waiting on it wakes up. Any thread, idempotent. */
    @Override
    public void close() {
        if (tls != null && channel.isOpen() && writeLock.tryLock()) {
            try {
                tls.closeOutbound(channel);
            } finally {
                writeLock.unlock();
            }
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        selector.wakeup();
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * Reads at least one byte more, or notes the end of the stream; false when nothing came by
     * {@code deadline} ({@link System#nanoTime()}) if {@code timed}. Caller holds inputLock.
     */
    private boolean receive(boolean timed, long deadline) throws IOException {
        ByteBuffer room = in.receiving();
        try {
            // bytes that TLS has already taken off the socket are not seen by the selector: read those first
            boolean waited = false;
            if (!timed && waitBeforeReading && (tls == null || !tls.holdsInput())) {
                waitReady(0);
                waited = true;
            }
            while (true) {
                int n = tls == null ? channel.read(room) : readTls(room);
                if (n < 0) {
                    endOfStream = true;
                    return true;
                }
                if (n > 0) {
                    if (!waited && !timed) {
                        waitBeforeReading = false; // input was there already: this client sends ahead
                    }
                    return true;
                }
                if (!timed) {
                    waitBeforeReading = true;
                }
                waited = true;
                long waitMillis = 0;
                if (timed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    waitMillis = (left + 999_999) / 1_000_000;
                }
                waitReady(waitMillis);
            }
        } finally {
            in.received();
        }
    }

    /** Decrypts into room; the write lock is held as reading a record may make the engine answer it. */
    private int readTls(ByteBuffer room) throws IOException {
        writeLock.lock();
        try {
            return tls.read(channel, room, this::awaitWritable);
        } finally {
            writeLock.unlock();
        }
    }

    private void waitReady() throws IOException {
        waitReady(0);
    }

    /** Waits until the socket is ready for the registered operation, or {@code millis} (0: no limit). */
    private void waitReady(long millis) throws IOException {
        if (!selector.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        try {
            selector.select(millis);
            selector.selectedKeys().clear();
        } catch (java.nio.channels.ClosedSelectorException e) {
            // closed by another thread (shutdown) while waiting: the same as the channel closing
            throw new java.nio.channels.ClosedChannelException();
        }
        if (!channel.isOpen()) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    /** One whole frame out of the input buffer, or null if it holds none yet. Caller holds inputLock. */
    private PgFrame decodeOne() throws ProtocolException {
        try {
            return in.next();
        } catch (PgFrameReader.MalformedFrameException e) {
            throw new ProtocolException(e.getMessage());
        }
    }
}

package dev.warden.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * The session worker's side of the client connection: it accumulates backend messages in one buffer and
 * hands it to Netty at protocol boundaries ({@link #flush}) or in chunks while streaming
 * ({@link #flushChunk}), and then blocks the worker until the channel is writable again, so a slow client
 * slows the result stream instead of filling memory. Used by one worker thread at a time; the event loop
 * only calls {@link #writabilityChanged}.
 */
public final class ClientOutput {

    static final int CHUNK = 32 * 1024;

    private final Channel channel;
    private final Object writable = new Object();
    private ByteBuf buf;

    public ClientOutput(Channel channel) {
        this.channel = channel;
    }

    /** The client went away: whatever was running for it can stop. */
    public static final class ClientGoneException extends RuntimeException {
        public ClientGoneException() {
            super("client connection closed", null, false, false);
        }
    }

    public ByteBuf buf() {
        if (buf == null) {
            buf = channel.alloc().ioBuffer(1024);
        }
        return buf;
    }

    /** True once the current buffer is big enough to be sent as a chunk. */
    public boolean chunkReady() {
        return buf != null && buf.readableBytes() >= CHUNK;
    }

    /** Sends what is buffered. */
    public void flush() {
        ByteBuf b = buf;
        buf = null;
        if (b == null) {
            return;
        }
        if (!channel.isActive()) {
            b.release();
            return;
        }
        // writeAndFlush releases the buffer once written, or when the channel is already closed
        channel.writeAndFlush(b, channel.voidPromise());
    }

    /** Sends what is buffered and waits until the channel can take more; throws if the client is gone. */
    public void flushChunk() {
        flush();
        synchronized (writable) {
            while (channel.isActive() && !channel.isWritable()) {
                try {
                    writable.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClientGoneException();
                }
            }
        }
        if (!channel.isActive()) {
            throw new ClientGoneException();
        }
    }

    public void writabilityChanged() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    /** Drops anything buffered (the client is gone). */
    public void discard() {
        if (buf != null) {
            buf.release();
            buf = null;
        }
    }
}

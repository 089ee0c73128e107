package dev.warden.gateway.transport;

import dev.warden.gateway.wire.ClientOutput;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * Client output through Netty: the session's worker hands each flushed buffer to the channel's event loop,
 * and while streaming waits on the channel's writability, which the event loop reports through
 * {@link #writabilityChanged}.
 */
final class NettyClientOutput extends ClientOutput {

    private final Channel channel;
    private final Object writable = new Object();

    NettyClientOutput(Channel channel) {
        super(channel.alloc());
        this.channel = channel;
    }

    @Override
    public void flush() {
        ByteBuf b = takeBuffered();
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

    @Override
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

    @Override
    public boolean canTakeMore() {
        return channel.isWritable();
    }

    @Override
    public void closeClient() {
        channel.close();
    }

    /** From the event loop. */
    void writabilityChanged() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }
}

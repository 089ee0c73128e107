package dev.warden.gateway.transport;

import dev.warden.gateway.wire.ClientOutput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Client output written by the session's own thread straight into its {@link ClientSocket}: no event-loop
 * hand-off per reply, and a write that the client does not read blocks the writer, which is the
 * backpressure.
 */
public final class SocketClientOutput extends ClientOutput {

    private final ClientSocket socket;
    private boolean broken;

    public SocketClientOutput(ClientSocket socket, ByteBufAllocator alloc) {
        super(alloc);
        this.socket = socket;
    }

    @Override
    public void flush() {
        ByteBuf b = takeBuffered();
        if (b == null) {
            return;
        }
        try {
            if (!broken) {
                socket.write(b.nioBuffer());
            }
        } catch (IOException e) {
            broken = true;
            socket.close();
        } finally {
            b.release();
        }
    }

    @Override
    public void flushChunk() {
        flush();
        if (broken) {
            throw new ClientGoneException();
        }
    }

    @Override
    public void closeClient() {
        socket.close();
    }
}

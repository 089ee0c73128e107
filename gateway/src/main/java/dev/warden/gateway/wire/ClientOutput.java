package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The session's side of the client connection: it accumulates backend messages in one buffer and sends it at
 * protocol boundaries ({@link #flush}) or in chunks while streaming ({@link #flushChunk}), the latter waiting
 * until the client can take more, so a slow client slows the result stream instead of filling memory. Used by
 * one session thread at a time. Two transports: {@code NettyClientOutput} hands the bytes to the event loop
 * (with {@code warden.gateway.session-io=event-loop}), {@code SocketClientOutput} writes them itself (sessions on
 * their own thread, encrypting over TLS).
 */
public abstract class ClientOutput {

    static final int CHUNK = 32 * 1024;

    private final ByteBufAllocator alloc;
    private ByteBuf buf;
    /** The client's encoding; the session's thread alone sets and reads it. */
    private ClientEncoding encoding = ClientEncoding.UTF8;

    protected ClientOutput(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The client went away: whatever was running for it can stop. */
    public static final class ClientGoneException extends RuntimeException {
        public ClientGoneException() {
            super("client connection closed", null, false, false);
        }
    }

    /** The client's {@code client_encoding}, which text sent to it is converted to. */
    public final ClientEncoding encoding() {
        return encoding;
    }

    /** From now on, text is sent in {@code encoding} (startup, {@code SET client_encoding}). */
    public final void encoding(ClientEncoding encoding) {
        this.encoding = encoding;
    }

    public final ByteBuf buf() {
        if (buf == null) {
            buf = alloc.ioBuffer(1024);
        }
        return buf;
    }

    /** True once the current buffer is big enough to be sent as a chunk. */
    public final boolean chunkReady() {
        return buf != null && buf.readableBytes() >= CHUNK;
    }

    /** Sends what is buffered; a client that has gone is noticed by the next {@link #flushChunk}. */
    public abstract void flush();

    /** Sends what is buffered and waits until the client can take more; throws if the client is gone. */
    public abstract void flushChunk();

    /**
     * False while the client has not taken what was sent (unprompted messages, such as notifications, then
     * wait); a transport that blocks its writer instead answers true.
     */
    public boolean canTakeMore() {
        return true;
    }

    /** Closes the client connection (Terminate, a fatal error). */
    public abstract void closeClient();

    /** Drops anything buffered (the client is gone). */
    public final void discard() {
        ByteBuf b = buf;
        buf = null;
        if (b != null) {
            b.release();
        }
    }

    /**
     * The buffered messages, now owned by the caller; null when there are none. For a client whose encoding is
     * not UTF-8, the text of the messages whose writers do not encode it is converted here (see
     * {@link MessageTranscoder#toClient}); a UTF-8 client's buffer is handed over untouched.
     */
    protected final ByteBuf takeBuffered() {
        ByteBuf b = buf;
        buf = null;
        if (b != null && encoding.converts()) {
            b = MessageTranscoder.toClient(b, encoding, alloc);
        }
        return b;
    }
}

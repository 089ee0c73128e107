package dev.warden.gateway.transport;

import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgFrameReader;
import java.nio.ByteBuffer;

/**
 * The input side of a connection served by its session thread ({@link ClientSocket}): a buffer that bytes are read
 * into from the socket and whole frames are taken out of, by {@link PgFrameReader}'s rules (the event loop's
 * {@link PgFrameDecoder} uses the same). Grows to hold a frame larger than itself, and shrinks back once it has
 * passed, so one large message does not pin its memory for the rest of the session.
 *
 * <p>Not thread-safe: {@link ClientSocket} guards it with its input lock.
 */
final class SocketFrameInput implements PgFrameReader.Input {

    static final int INITIAL_BUFFER = 16 * 1024;

    private final PgFrameReader reader;
    /**
     * The session's usual buffer: direct, so that a socket read lands in it without the JDK copying through a
     * temporary direct buffer of its own (a thread-local lookup and a copy per read). A larger message gets a
     * heap buffer of its size for as long as it takes to arrive.
     */
    private final ByteBuffer initial = ByteBuffer.allocateDirect(INITIAL_BUFFER);
    /** Received, not yet decoded bytes, between position and limit (read mode, except inside receiving/received). */
    private ByteBuffer in;

    /**
     * @param undecoded bytes already received (by the event loop) and not yet decoded
     * @param typed true when the startup packet has been read already
     */
    SocketFrameInput(byte[] undecoded, int maxMessageBytes, boolean typed) {
        this.reader = new PgFrameReader(maxMessageBytes, typed);
        this.in = undecoded.length <= INITIAL_BUFFER ? initial : ByteBuffer.allocate(undecoded.length);
        in.put(undecoded).flip();
    }

    /** The buffer to read from the socket into (its free space); call {@link #received()} after, always. */
    ByteBuffer receiving() {
        in.compact();
        return in;
    }

    /** Ends {@link #receiving()}: what was read becomes decodable. */
    void received() {
        in.flip();
    }

    /** True when the buffer holds no room for another byte: undecoded input fills it. */
    boolean full() {
        return in.remaining() == in.capacity();
    }

    /** The next whole frame, or null when the buffer holds only part of one (grown, if need be, to hold it). */
    PgFrame next() throws PgFrameReader.MalformedFrameException {
        PgFrame frame = reader.next(this);
        if (frame == null) {
            int needed = reader.needed();
            if (in.capacity() < needed) {
                ByteBuffer bigger = ByteBuffer.allocate(needed);
                bigger.put(in).flip();
                in = bigger;
            }
            return null;
        }
        if (!in.hasRemaining() && in != initial) {
            in = initial.clear().flip(); // a large message passed; don't keep its buffer
        }
        return frame;
    }

    /** Bytes of buffer held, for tests of its growing and shrinking. */
    int capacity() {
        return in.capacity();
    }

    @Override
    public int readable() {
        return in.remaining();
    }

    @Override
    public byte byteAt(int offset) {
        return in.get(in.position() + offset);
    }

    @Override
    public int intAt(int offset) {
        return in.getInt(in.position() + offset);
    }

    @Override
    public void skip(int n) {
        in.position(in.position() + n);
    }

    @Override
    public void read(byte[] dst) {
        in.get(dst);
    }
}

package dev.warden.gateway.wire;

/**
 * The framing rules of the frontend protocol, shared by both transports: {@link PgFrameDecoder} on the Netty event
 * loop and {@link SocketFrameInput} on the per-session socket thread. Until a protocol-3 StartupMessage has been
 * read, packets are untyped ({@code int32 length, int32 code, ...}: SSLRequest, GSSENCRequest, CancelRequest,
 * StartupMessage); after it every message is {@code byte type, int32 length, payload}. Takes a frame only when it
 * is whole, and checks every length before waiting for the bytes it announces: a startup packet from 8 to 10,000
 * bytes (as PostgreSQL), any other message at least 4 and at most the configured maximum.
 *
 * <p>Not thread-safe: one per connection, used by the thread that owns the connection's input.
 */
public final class PgFrameReader {

    /** The bytes received and not yet taken, as each transport holds them. Offsets are from the first unread byte. */
    public interface Input {
        int readable();

        byte byteAt(int offset);

        int intAt(int offset);

        /** Takes {@code n} bytes without copying them. */
        void skip(int n);

        /** Takes {@code dst.length} bytes into {@code dst}. */
        void read(byte[] dst);
    }

    /** A length no frame may have; the connection cannot continue (PostgreSQL answers 08P01 and closes). */
    public static final class MalformedFrameException extends Exception {
        private final boolean tooLong;

        MalformedFrameException(String message, boolean tooLong) {
            super(message);
            this.tooLong = tooLong;
        }

        /** True when the length is valid but over the limit, false when no frame could have it. */
        public boolean tooLong() {
            return tooLong;
        }
    }

    private final int maxMessageLength;
    private boolean typed;
    private int needed;

    /**
     * @param maxMessageLength largest payload of a typed message
     * @param typed true when the startup packet has already been read (by another reader)
     */
    public PgFrameReader(int maxMessageLength, boolean typed) {
        this.maxMessageLength = maxMessageLength;
        this.typed = typed;
    }

    /** The next whole frame, taken out of {@code in}; null while {@code in} holds only part of one. */
    public PgFrame next(Input in) throws MalformedFrameException {
        needed = 0;
        return typed ? typedFrame(in) : startupFrame(in);
    }

    /**
     * After {@link #next} returned null: how many bytes the frame being received takes in all, header included,
     * or 0 while its header has not arrived. A transport with a fixed buffer grows it to this.
     */
    public int needed() {
        return needed;
    }

    private PgFrame startupFrame(Input in) throws MalformedFrameException {
        if (in.readable() < 4) {
            return null;
        }
        int length = in.intAt(0);
        if (length < 8 || length > PgFrameDecoder.MAX_STARTUP_LENGTH) {
            throw new MalformedFrameException("invalid length of startup packet", false);
        }
        if (in.readable() < length) {
            needed = length;
            return null;
        }
        in.skip(4);
        byte[] payload = new byte[length - 4];
        in.read(payload);
        int code = ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                | (payload[3] & 0xff);
        if (code >>> 16 == 3) {
            typed = true;
        }
        return new PgFrame(PgFrame.STARTUP, payload);
    }

    private PgFrame typedFrame(Input in) throws MalformedFrameException {
        if (in.readable() < 5) {
            return null;
        }
        byte type = in.byteAt(0);
        int length = in.intAt(1);
        if (length < 4) {
            throw new MalformedFrameException("invalid message length " + length, false);
        }
        if (length - 4 > maxMessageLength) {
            throw new MalformedFrameException("message of " + (length - 4) + " bytes exceeds the limit of "
                    + maxMessageLength, true);
        }
        if (in.readable() < 1 + length) {
            needed = 1 + length;
            return null;
        }
        in.skip(5);
        byte[] payload = new byte[length - 4];
        in.read(payload);
        return new PgFrame(type, payload);
    }
}

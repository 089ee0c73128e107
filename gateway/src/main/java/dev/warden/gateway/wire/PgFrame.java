package dev.warden.gateway.wire;

import java.nio.charset.StandardCharsets;

/**
 * One whole frontend message: its type byte ({@link #STARTUP} for the untyped startup-phase packets,
 * whose payload then begins with the 4-byte request code) and its payload without the length word.
 * The payload is a private copy, so a frame can cross to the session's worker thread without any
 * reference counting. Also a cursor for reading the payload (not thread-safe; one reader at a time).
 */
public final class PgFrame {

    public static final byte STARTUP = 0;

    private final byte type;
    private final byte[] payload;
    private int pos;

    public PgFrame(byte type, byte[] payload) {
        this.type = type;
        this.payload = payload;
    }

    public byte type() {
        return type;
    }

    public byte[] payload() {
        return payload;
    }

    public int remaining() {
        return payload.length - pos;
    }

    public int readInt() {
        checkAvailable(4);
        int v = ((payload[pos] & 0xff) << 24) | ((payload[pos + 1] & 0xff) << 16) | ((payload[pos + 2] & 0xff) << 8)
                | (payload[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public short readShort() {
        checkAvailable(2);
        short v = (short) (((payload[pos] & 0xff) << 8) | (payload[pos + 1] & 0xff));
        pos += 2;
        return v;
    }

    public byte readByte() {
        checkAvailable(1);
        return payload[pos++];
    }

    /** A NUL-terminated UTF-8 string. */
    public String readCString() {
        int end = pos;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        if (end >= payload.length) {
            throw new MalformedMessageException("unterminated string in message");
        }
        String s = new String(payload, pos, end - pos, StandardCharsets.UTF_8);
        pos = end + 1;
        return s;
    }

    /** {@code n} bytes, or null when {@code n == -1} (SQL NULL). */
    public byte[] readBytes(int n) {
        if (n == -1) {
            return null;
        }
        if (n < 0) {
            throw new MalformedMessageException("negative length in message");
        }
        checkAvailable(n);
        byte[] b = java.util.Arrays.copyOfRange(payload, pos, pos + n);
        pos += n;
        return b;
    }

    private void checkAvailable(int n) {
        if (payload.length - pos < n) {
            throw new MalformedMessageException("message shorter than its contents");
        }
    }

    /** A frontend message whose contents contradict its length or format (SQLState 08P01). */
    public static final class MalformedMessageException extends RuntimeException {
        public MalformedMessageException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return "PgFrame[" + (type == 0 ? "startup" : String.valueOf((char) type)) + ", " + payload.length + " bytes]";
    }
}

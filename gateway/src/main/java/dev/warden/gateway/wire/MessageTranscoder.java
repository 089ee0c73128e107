package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Converts the text of whole protocol messages between a client's {@link ClientEncoding} and UTF-8, for the
 * messages whose writers and readers know nothing of encodings: frontend query messages (Query, Parse, Bind's
 * text parameters, Describe, Close, Execute) on their way in, and backend CommandComplete, ErrorResponse,
 * NoticeResponse, ParameterStatus and NotificationResponse on their way out. The writers of result data
 * (RowDescription, DataRow, CopyData) encode their text themselves, strictly, since a value the client's
 * encoding cannot represent must fail its statement (22P05); those messages pass through here untouched.
 * Used only for clients whose encoding {@link ClientEncoding#converts converts}. Stateless and thread-safe.
 */
public final class MessageTranscoder {

    private MessageTranscoder() {}

    // ---------------------------------------------------------------- frontend → UTF-8

    /**
     * The frame with its text in UTF-8, or the frame itself when it has no text or only ASCII; 22021 for bytes
     * invalid in the client's encoding. A frame whose layout is malformed is returned as is, for the session to
     * report as it reports any malformed message.
     */
    public static PgFrame toUtf8(PgFrame f, ClientEncoding enc) throws SQLException {
        byte[] p = f.payload();
        byte t = f.type();
        if (!hasTextType(t) || ClientEncoding.isAscii(p, 0, p.length)) {
            return f;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(p.length + 16);
            int pos = 0;
            switch (t) {
                case 'Q' -> pos = cstring(p, pos, out, enc);
                case 'P' -> {
                    pos = cstring(p, pos, out, enc);
                    pos = cstring(p, pos, out, enc);
                }
                case 'D', 'C' -> {
                    out.write(p[pos++]);
                    pos = cstring(p, pos, out, enc);
                }
                case 'E' -> pos = cstring(p, pos, out, enc);
                case 'B' -> pos = bind(p, out, enc);
                default -> {
                    return f;
                }
            }
            out.write(p, pos, p.length - pos);
            return new PgFrame(t, out.toByteArray());
        } catch (IndexOutOfBoundsException malformed) {
            return f;
        }
    }

    private static boolean hasTextType(byte t) {
        return t == 'Q' || t == 'P' || t == 'B' || t == 'D' || t == 'C' || t == 'E';
    }

    /** Converts one NUL-terminated string at {@code pos}; returns the position after its NUL. */
    private static int cstring(byte[] p, int pos, ByteArrayOutputStream out, ClientEncoding enc) throws SQLException {
        int end = pos;
        while (p[end] != 0) {
            end++;
        }
        out.writeBytes(enc.decode(p, pos, end - pos).getBytes(StandardCharsets.UTF_8));
        out.write(0);
        return end + 1;
    }

    /** Bind: names, then only the parameters sent in text format (binary values are not text). */
    private static int bind(byte[] p, ByteArrayOutputStream out, ClientEncoding enc) throws SQLException {
        int pos = cstring(p, 0, out, enc);
        pos = cstring(p, pos, out, enc);
        int nf = short16(p, pos);
        int formatsAt = pos + 2;
        pos = formatsAt + 2 * nf;
        int np = short16(p, pos) & 0xffff;
        pos += 2;
        out.write(p, formatsAt - 2, pos - (formatsAt - 2));
        for (int i = 0; i < np; i++) {
            int len = int32(p, pos);
            pos += 4;
            int format = nf == 0 ? 0 : short16(p, formatsAt + 2 * (nf == 1 ? 0 : Math.min(i, nf - 1)));
            if (len < 0) {
                writeInt(out, len);
                continue;
            }
            if (pos + len > p.length) {
                throw new IndexOutOfBoundsException();
            }
            if (format == 0 && !ClientEncoding.isAscii(p, pos, len)) {
                byte[] utf8 = enc.decode(p, pos, len).getBytes(StandardCharsets.UTF_8);
                writeInt(out, utf8.length);
                out.writeBytes(utf8);
            } else {
                writeInt(out, len);
                out.write(p, pos, len);
            }
            pos += len;
        }
        return pos;
    }

    private static int short16(byte[] p, int at) {
        return (short) (((p[at] & 0xff) << 8) | (p[at + 1] & 0xff));
    }

    private static int int32(byte[] p, int at) {
        return ((p[at] & 0xff) << 24) | ((p[at + 1] & 0xff) << 16) | ((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    // ---------------------------------------------------------------- UTF-8 → client

    /**
     * The buffered backend messages with the text of CommandComplete, ErrorResponse, NoticeResponse,
     * ParameterStatus and NotificationResponse in the client's encoding ({@code ?} for what it cannot represent:
     * these must reach the client). Returns {@code messages} itself when none of them has non-ASCII text (the
     * usual case); otherwise a new buffer, and {@code messages} is released. Only whole messages are converted;
     * bytes after the last whole message are copied as they are.
     */
    static ByteBuf toClient(ByteBuf messages, ClientEncoding enc, ByteBufAllocator alloc) {
        if (!needsConversion(messages)) {
            return messages;
        }
        ByteBuf out = alloc.ioBuffer(messages.readableBytes() + 64);
        int pos = messages.readerIndex();
        int end = messages.writerIndex();
        while (pos + 5 <= end) {
            byte type = messages.getByte(pos);
            int len = messages.getInt(pos + 1);
            if (len < 4 || pos + 1 + len > end) {
                break;
            }
            int prefix = textPrefix(type);
            if (prefix < 0) {
                out.writeBytes(messages, pos, 1 + len);
            } else {
                int lengthAt = out.writerIndex() + 1;
                out.writeByte(type).writeInt(0);
                out.writeBytes(messages, pos + 5, prefix);
                int from = pos + 5 + prefix;
                int bodyEnd = pos + 1 + len;
                while (from < bodyEnd) {
                    int nul = messages.indexOf(from, bodyEnd, (byte) 0);
                    int segEnd = nul < 0 ? bodyEnd : nul;
                    String s = messages.toString(from, segEnd - from, StandardCharsets.UTF_8);
                    out.writeBytes(enc.encodeLenient(s));
                    if (nul >= 0) {
                        out.writeByte(0);
                    }
                    from = segEnd + 1;
                }
                out.setInt(lengthAt, out.writerIndex() - lengthAt);
            }
            pos += 1 + len;
        }
        out.writeBytes(messages, pos, end - pos);
        messages.release();
        return out;
    }

    /** Bytes before the text of a message converted here; -1 for a message left as it is. */
    private static int textPrefix(byte type) {
        return switch (type) {
            case 'C', 'E', 'N', 'S' -> 0;
            case 'A' -> 4; // the notifying backend's process id
            default -> -1;
        };
    }

    private static boolean needsConversion(ByteBuf messages) {
        int pos = messages.readerIndex();
        int end = messages.writerIndex();
        while (pos + 5 <= end) {
            byte type = messages.getByte(pos);
            int len = messages.getInt(pos + 1);
            if (len < 4 || pos + 1 + len > end) {
                return false;
            }
            if (textPrefix(type) >= 0) {
                for (int i = pos + 5, e = pos + 1 + len; i < e; i++) {
                    if (messages.getByte(i) < 0) {
                        return true;
                    }
                }
            }
            pos += 1 + len;
        }
        return false;
    }
}

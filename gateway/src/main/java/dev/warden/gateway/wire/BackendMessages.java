package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Writers for the backend messages of protocol v3, each appending one whole message to a {@link ByteBuf}.
 * Stateless and thread-safe; the buffer is the caller's.
 */
public final class BackendMessages {

    private BackendMessages() {}

    /** Starts a message: writes the type and a length placeholder, returns the length's index. */
    public static int begin(ByteBuf out, char type) {
        out.writeByte(type);
        int at = out.writerIndex();
        out.writeInt(0);
        return at;
    }

    public static void end(ByteBuf out, int lengthAt) {
        out.setInt(lengthAt, out.writerIndex() - lengthAt);
    }

    public static void cstring(ByteBuf out, String s) {
        ByteBufUtil.writeUtf8(out, s);
        out.writeByte(0);
    }

    public static void authenticationOk(ByteBuf out) {
        authRequest(out, 0, null);
    }

    public static void authenticationCleartext(ByteBuf out) {
        authRequest(out, 3, null);
    }

    /** AuthenticationMD5Password with its 4-byte salt. */
    public static void authenticationMd5(ByteBuf out, byte[] salt) {
        authRequest(out, 5, salt);
    }

    /** AuthenticationSASL listing the mechanisms offered, the preferred first. */
    public static void authenticationSasl(ByteBuf out, String... mechanisms) {
        int at = begin(out, 'R');
        out.writeInt(10);
        for (String mechanism : mechanisms) {
            cstring(out, mechanism);
        }
        out.writeByte(0);
        end(out, at);
    }

    public static void authenticationSaslContinue(ByteBuf out, String data) {
        authRequest(out, 11, data.getBytes(StandardCharsets.UTF_8));
    }

    public static void authenticationSaslFinal(ByteBuf out, String data) {
        authRequest(out, 12, data.getBytes(StandardCharsets.UTF_8));
    }

    private static void authRequest(ByteBuf out, int code, byte[] data) {
        int at = begin(out, 'R');
        out.writeInt(code);
        if (data != null) {
            out.writeBytes(data);
        }
        end(out, at);
    }

    public static void parameterStatus(ByteBuf out, String name, String value) {
        int at = begin(out, 'S');
        cstring(out, name);
        cstring(out, value == null ? "" : value);
        end(out, at);
    }

    public static void backendKeyData(ByteBuf out, int pid, int secret) {
        int at = begin(out, 'K');
        out.writeInt(pid);
        out.writeInt(secret);
        end(out, at);
    }

    /** NotificationResponse: the notifying backend's process id, the channel and the payload, as sent. */
    public static void notificationResponse(ByteBuf out, int pid, String channel, String payload) {
        int at = begin(out, 'A');
        out.writeInt(pid);
        cstring(out, channel);
        cstring(out, payload == null ? "" : payload);
        end(out, at);
    }

    /**
     * RowDescription and DataRow of a one-column, one-row text result (a SHOW answered by the gateway); the name
     * and value must be ASCII, as setting names and values of the gateway's own are.
     */
    public static void singleTextRow(ByteBuf out, String column, String value) {
        textColumnDescription(out, column);
        textRow(out, value);
    }

    /** RowDescription of one text column in text format (as of SHOW). */
    public static void textColumnDescription(ByteBuf out, String column) {
        int at = begin(out, 'T');
        out.writeShort(1);
        cstring(out, column);
        out.writeInt(0).writeShort(0).writeInt(PgTypeCatalog.TEXT).writeShort(-1).writeInt(-1).writeShort(0);
        end(out, at);
    }

    /** DataRow of one text value. */
    public static void textRow(ByteBuf out, String value) {
        int at = begin(out, 'D');
        out.writeShort(1);
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        out.setInt(lengthAt, ByteBufUtil.writeUtf8(out, value));
        end(out, at);
    }

    public static void readyForQuery(ByteBuf out, char status) {
        out.writeByte('Z');
        out.writeInt(5);
        out.writeByte(status);
    }

    public static void commandComplete(ByteBuf out, String tag) {
        int at = begin(out, 'C');
        cstring(out, tag);
        end(out, at);
    }

    public static void emptyQueryResponse(ByteBuf out) {
        simple(out, 'I');
    }

    public static void parseComplete(ByteBuf out) {
        simple(out, '1');
    }

    public static void bindComplete(ByteBuf out) {
        simple(out, '2');
    }

    public static void closeComplete(ByteBuf out) {
        simple(out, '3');
    }

    public static void noData(ByteBuf out) {
        simple(out, 'n');
    }

    public static void portalSuspended(ByteBuf out) {
        simple(out, 's');
    }

    public static void copyDone(ByteBuf out) {
        simple(out, 'c');
    }

    private static void simple(ByteBuf out, char type) {
        out.writeByte(type);
        out.writeInt(4);
    }

    public static void parameterDescription(ByteBuf out, int[] oids) {
        int at = begin(out, 't');
        out.writeShort(oids.length);
        for (int oid : oids) {
            out.writeInt(oid);
        }
        end(out, at);
    }

    /** CopyInResponse ('G') or CopyOutResponse ('H'). */
    public static void copyResponse(ByteBuf out, char type, int format, int[] columnFormats) {
        int at = begin(out, type);
        out.writeByte(format);
        out.writeShort(columnFormats.length);
        for (int f : columnFormats) {
            out.writeShort(f);
        }
        end(out, at);
    }

    public static void copyData(ByteBuf out, byte[] data, int offset, int length) {
        out.writeByte('d');
        out.writeInt(length + 4);
        out.writeBytes(data, offset, length);
    }

    public static void negotiateProtocolVersion(ByteBuf out, int newestMinor, java.util.List<String> unrecognized) {
        int at = begin(out, 'v');
        out.writeInt(newestMinor);
        out.writeInt(unrecognized.size());
        for (String option : unrecognized) {
            cstring(out, option);
        }
        end(out, at);
    }

    /** ErrorResponse ('E') or NoticeResponse ('N') from its fields. */
    public static void errorOrNotice(ByteBuf out, char type, ErrorFields e) {
        int at = begin(out, type);
        field(out, 'S', e.severity());
        field(out, 'V', e.severity());
        field(out, 'C', e.sqlState());
        field(out, 'M', e.message());
        field(out, 'D', e.detail());
        field(out, 'H', e.hint());
        field(out, 'P', e.position());
        field(out, 'p', e.others().get('p'));
        field(out, 'q', e.others().get('q'));
        field(out, 'W', e.where());
        for (char code : ErrorFields.OTHER_CODES.substring(2).toCharArray()) {
            field(out, code, e.others().get(code));
        }
        out.writeByte(0);
        end(out, at);
    }

    private static void field(ByteBuf out, char code, String value) {
        if (value != null) {
            out.writeByte(code);
            cstring(out, value);
        }
    }
}

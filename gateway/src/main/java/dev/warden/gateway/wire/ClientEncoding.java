package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A client's {@code client_encoding}, as PostgreSQL names it, and the conversions between it and UTF-8, the
 * encoding of the backend connection (pgjdbc insists on UTF-8; the gateway owns the client's encoding, as a
 * PostgreSQL backend does). Conversions are strict, as PostgreSQL's: a character the client's encoding cannot
 * represent fails the statement with 22P05, bytes that are not valid in it fail with 22021.
 *
 * <p>{@link #UTF8} and {@link #SQL_ASCII} need no conversion ({@link #converts} is false), so a UTF-8 client's
 * bytes are never touched: the hot path pays one field test. SQL_ASCII behaves as PostgreSQL's does over a UTF-8
 * database: no conversion at all, the client's bytes reach the server as sent and the server's UTF-8 comes back
 * as is.
 *
 * <p>Immutable and thread-safe; {@link #decoder()} hands out a new streaming decoder per use.
 */
public final class ClientEncoding {

    /** PostgreSQL's client encodings that the JDK can convert, by PostgreSQL name, with their Java charset. */
    private static final Map<String, String> JAVA_NAMES = javaNames();

    /** PostgreSQL's aliases (pg_wchar.h's pg_encname_tbl), keyed like {@link #key}. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("unicode", "UTF8"), Map.entry("utf8", "UTF8"),
            Map.entry("iso88591", "LATIN1"), Map.entry("iso88592", "LATIN2"), Map.entry("iso88593", "LATIN3"),
            Map.entry("iso88594", "LATIN4"), Map.entry("iso88599", "LATIN5"), Map.entry("iso885910", "LATIN6"),
            Map.entry("iso885913", "LATIN7"), Map.entry("iso885914", "LATIN8"), Map.entry("iso885915", "LATIN9"),
            Map.entry("iso885916", "LATIN10"), Map.entry("koi8", "KOI8R"), Map.entry("alt", "WIN866"),
            Map.entry("win", "WIN1251"), Map.entry("mskanji", "SJIS"), Map.entry("shiftjis", "SJIS"),
            Map.entry("windows932", "SJIS"), Map.entry("windows936", "GBK"), Map.entry("windows949", "UHC"),
            Map.entry("windows950", "BIG5"), Map.entry("tcvn", "WIN1258"), Map.entry("tcvn5712", "WIN1258"),
            Map.entry("vscii", "WIN1258"), Map.entry("abc", "WIN1258"), Map.entry("cp936", "GBK"),
            Map.entry("cp949", "UHC"), Map.entry("cp950", "BIG5"), Map.entry("cp932", "SJIS"),
            Map.entry("cp1250", "WIN1250"), Map.entry("cp1251", "WIN1251"), Map.entry("cp1252", "WIN1252"),
            Map.entry("cp866", "WIN866"), Map.entry("shiftjis2004", "SHIFT_JIS_2004"));

    public static final ClientEncoding UTF8 = new ClientEncoding("UTF8", StandardCharsets.UTF_8, false);
    public static final ClientEncoding SQL_ASCII = new ClientEncoding("SQL_ASCII", StandardCharsets.UTF_8, false);

    private final String name;
    private final Charset charset;
    private final boolean converts;

    private ClientEncoding(String name, Charset charset, boolean converts) {
        this.name = name;
        this.charset = charset;
        this.converts = converts;
    }

    private static Map<String, String> javaNames() {
        String[][] table = {
            {"LATIN1", "ISO-8859-1"}, {"LATIN2", "ISO-8859-2"}, {"LATIN3", "ISO-8859-3"}, {"LATIN4", "ISO-8859-4"},
            {"LATIN5", "ISO-8859-9"}, {"LATIN6", "ISO-8859-10"}, {"LATIN7", "ISO-8859-13"},
            {"LATIN8", "ISO-8859-14"}, {"LATIN9", "ISO-8859-15"}, {"LATIN10", "ISO-8859-16"},
            {"ISO_8859_5", "ISO-8859-5"}, {"ISO_8859_6", "ISO-8859-6"}, {"ISO_8859_7", "ISO-8859-7"},
            {"ISO_8859_8", "ISO-8859-8"},
            {"WIN866", "IBM866"}, {"WIN874", "x-windows-874"}, {"WIN1250", "windows-1250"},
            {"WIN1251", "windows-1251"}, {"WIN1252", "windows-1252"}, {"WIN1253", "windows-1253"},
            {"WIN1254", "windows-1254"}, {"WIN1255", "windows-1255"}, {"WIN1256", "windows-1256"},
            {"WIN1257", "windows-1257"}, {"WIN1258", "windows-1258"}, {"KOI8R", "KOI8-R"}, {"KOI8U", "KOI8-U"},
            {"EUC_JP", "EUC-JP"}, {"EUC_CN", "GB2312"}, {"EUC_KR", "EUC-KR"}, {"EUC_TW", "x-EUC-TW"},
            // PostgreSQL's SJIS, BIG5 and UHC tables are Microsoft's code pages 932, 950 and 949
            {"SJIS", "windows-31j"}, {"BIG5", "x-windows-950"}, {"UHC", "x-windows-949"},
            {"GBK", "GBK"}, {"GB18030", "GB18030"}, {"JOHAB", "x-Johab"}, {"SHIFT_JIS_2004", "x-SJIS_0213"},
        };
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] e : table) {
            if (Charset.isSupported(e[1])) {
                m.put(e[0], e[1]);
            }
        }
        return m;
    }

    /** The PostgreSQL names this gateway accepts for {@code client_encoding}. */
    public static Set<String> supportedNames() {
        Set<String> names = new java.util.TreeSet<>(JAVA_NAMES.keySet());
        names.add("UTF8");
        names.add("SQL_ASCII");
        return names;
    }

    /**
     * The encoding a client asked for by any of PostgreSQL's spellings ({@code UNICODE}, {@code latin1},
     * {@code ISO-8859-1}, ...); 22023 as PostgreSQL answers an unknown one.
     */
    public static ClientEncoding of(String requested) throws SQLException {
        String canonical = canonicalName(requested);
        if (canonical == null) {
            throw new SQLException("invalid value for parameter \"client_encoding\": \"" + requested + "\"", "22023");
        }
        return switch (canonical) {
            case "UTF8" -> UTF8;
            case "SQL_ASCII" -> SQL_ASCII;
            default -> new ClientEncoding(canonical, Charset.forName(JAVA_NAMES.get(canonical)), true);
        };
    }

    /** PostgreSQL's name for a spelling, or null when the gateway does not support it. */
    static String canonicalName(String requested) {
        if (requested == null) {
            return null;
        }
        String k = key(requested);
        String alias = ALIASES.get(k);
        if (alias != null) {
            return alias;
        }
        if (k.equals("sqlascii")) {
            return "SQL_ASCII";
        }
        for (String n : JAVA_NAMES.keySet()) {
            if (key(n).equals(k)) {
                return n;
            }
        }
        return null;
    }

    /** PostgreSQL compares encoding names ignoring case and everything but letters and digits. */
    private static String key(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 128 && Character.isLetterOrDigit(c)) {
                b.append(Character.toLowerCase(c));
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** PostgreSQL's canonical name, as ParameterStatus and SHOW report it. */
    public String name() {
        return name;
    }

    /** False for UTF8 and SQL_ASCII: the client's bytes are the backend's. */
    public boolean converts() {
        return converts;
    }

    // ---------------------------------------------------------------- to the client

    /** Appends {@code s} in the client's encoding; 22P05 for a character it cannot represent. */
    public int write(ByteBuf out, String s) throws SQLException {
        if (!converts) {
            return ByteBufUtil.writeUtf8(out, s);
        }
        byte[] b = encode(s);
        out.writeBytes(b);
        return b.length;
    }

    /** {@code s} in the client's encoding; 22P05 for a character it cannot represent. */
    public byte[] encode(String s) throws SQLException {
        if (!converts) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        CharsetEncoder enc = charset.newEncoder();
        CharBuffer in = CharBuffer.wrap(s);
        ByteBuffer out = ByteBuffer.allocate((int) Math.ceil(s.length() * (double) enc.maxBytesPerChar()) + 4);
        CoderResult r = enc.encode(in, out, true);
        if (r.isUnderflow()) {
            r = enc.flush(out);
        }
        if (r.isError()) {
            int at = in.position();
            int end = at + Math.max(r.length(), Character.isHighSurrogate(s.charAt(at)) && at + 1 < s.length() ? 2 : 1);
            throw noEquivalent(s.substring(at, Math.min(end, s.length())));
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** UTF-8 bytes (a COPY row from the backend) in the client's encoding; 22P05 as {@link #encode}. */
    public byte[] fromUtf8(byte[] utf8) throws SQLException {
        if (!converts || isAscii(utf8, 0, utf8.length)) {
            return utf8;
        }
        return encode(new String(utf8, StandardCharsets.UTF_8));
    }

    /**
     * {@code s} in the client's encoding with {@code ?} for what it cannot represent: for messages that must
     * reach the client whatever they say (errors, notices, notifications, settings), as PostgreSQL falls back to
     * ASCII when it cannot convert an error message.
     */
    byte[] encodeLenient(String s) {
        return s.getBytes(charset);
    }

    private SQLException noEquivalent(String chars) {
        byte[] utf8 = chars.getBytes(StandardCharsets.UTF_8);
        return new SQLException("character with byte sequence " + hex(utf8, 0, utf8.length)
                + " in encoding \"UTF8\" has no equivalent in encoding \"" + name + "\"", "22P05");
    }

    // ---------------------------------------------------------------- from the client

    /** {@code len} bytes of the client's text as a string; 22021 for bytes not valid in its encoding. */
    public String decode(byte[] b, int off, int len) throws SQLException {
        if (!converts) {
            return new String(b, off, len, StandardCharsets.UTF_8);
        }
        if (isAscii(b, off, len)) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder dec = strictDecoder();
        try {
            return dec.decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            ByteBuffer in = ByteBuffer.wrap(b, off, len);
            CoderResult r = strictDecoder().decode(in, CharBuffer.allocate(len * 2 + 2), true);
            int at = in.position();
            throw invalidBytes(b, at, Math.max(1, Math.min(r.isError() ? r.length() : len - (at - off), 4)));
        }
    }

    /** The client's text bytes as UTF-8, for the backend; 22021 as {@link #decode}. */
    public byte[] toUtf8(byte[] b) throws SQLException {
        if (!converts || isAscii(b, 0, b.length)) {
            return b;
        }
        return decode(b, 0, b.length).getBytes(StandardCharsets.UTF_8);
    }

    private CharsetDecoder strictDecoder() {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    SQLException invalidBytes(byte[] b, int at, int n) {
        return new SQLException("invalid byte sequence for encoding \"" + name + "\": "
                + hex(b, at, Math.min(n, b.length - at)), "22021");
    }

    /**
     * A decoder for a stream of client text cut at arbitrary places (COPY FROM STDIN data): a character split
     * between two messages is completed by the next. One per stream, not thread-safe.
     */
    public StreamDecoder decoder() {
        return new StreamDecoder();
    }

    /** See {@link #decoder()}. */
    public final class StreamDecoder {
        private final CharsetDecoder dec = strictDecoder();
        private byte[] pending = new byte[0];

        private StreamDecoder() {}

        /** The UTF-8 bytes of the whole characters received so far; 22021 for invalid bytes. */
        public byte[] toUtf8(byte[] chunk) throws SQLException {
            if (pending.length == 0 && isAscii(chunk, 0, chunk.length)) {
                return chunk;
            }
            byte[] all = pending.length == 0 ? chunk : concat(pending, chunk);
            ByteBuffer in = ByteBuffer.wrap(all);
            CharBuffer chars = CharBuffer.allocate(all.length + 1);
            CoderResult r = dec.decode(in, chars, false);
            if (r.isError()) {
                throw invalidBytes(all, in.position(), r.length());
            }
            pending = java.util.Arrays.copyOfRange(all, in.position(), all.length);
            chars.flip();
            return chars.toString().getBytes(StandardCharsets.UTF_8);
        }

        /** At the end of the stream: 22021 when it ended inside a character. */
        public void finish() throws SQLException {
            if (pending.length > 0) {
                throw invalidBytes(pending, 0, pending.length);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    static boolean isAscii(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String hex(byte[] b, int off, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            if (s.length() > 0) {
                s.append(' ');
            }
            s.append(String.format("0x%02x", b[i] & 0xff));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}

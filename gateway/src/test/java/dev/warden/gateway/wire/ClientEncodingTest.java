package dev.warden.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Client encodings: PostgreSQL's names, strict conversions and their errors, and the message transcoder. */
class ClientEncodingTest {

    static final Charset LATIN1 = StandardCharsets.ISO_8859_1;
    static final Charset EUC_JP = Charset.forName("EUC-JP");

    @Test
    void acceptsPostgresqlSpellingsAndReportsCanonicalNames() throws SQLException {
        assertSame(ClientEncoding.UTF8, ClientEncoding.of("UNICODE"));
        assertSame(ClientEncoding.UTF8, ClientEncoding.of("utf-8"));
        assertSame(ClientEncoding.SQL_ASCII, ClientEncoding.of("sql_ascii"));
        assertEquals("LATIN1", ClientEncoding.of("latin1").name());
        assertEquals("LATIN1", ClientEncoding.of("ISO-8859-1").name());
        assertEquals("LATIN9", ClientEncoding.of("iso_8859_15").name());
        assertEquals("WIN1252", ClientEncoding.of("win1252").name());
        assertEquals("EUC_JP", ClientEncoding.of("euc-jp").name());
        assertEquals("SJIS", ClientEncoding.of("Shift_JIS").name());
        assertEquals("BIG5", ClientEncoding.of("big5").name());
        assertFalse(ClientEncoding.UTF8.converts());
        assertFalse(ClientEncoding.SQL_ASCII.converts());
        assertTrue(ClientEncoding.of("LATIN1").converts());
        assertTrue(ClientEncoding.supportedNames().containsAll(java.util.Set.of("UTF8", "SQL_ASCII", "LATIN1",
                "WIN1252", "EUC_JP", "SJIS", "BIG5", "GBK", "GB18030", "UHC", "KOI8R", "EUC_KR")));
    }

    @Test
    void refusesAnUnknownEncodingAsPostgresqlDoes() {
        SQLException e = assertThrows(SQLException.class, () -> ClientEncoding.of("klingon"));
        assertEquals("22023", e.getSQLState());
        assertEquals("invalid value for parameter \"client_encoding\": \"klingon\"", e.getMessage());
    }

    @Test
    void aCharacterTheClientCannotRepresentIs22P05WithPostgresqlsMessage() throws SQLException {
        ClientEncoding latin1 = ClientEncoding.of("LATIN1");
        assertArrayEquals("café".getBytes(LATIN1), latin1.encode("café"));
        SQLException e = assertThrows(SQLException.class, () -> latin1.encode("prix: 5 €"));
        assertEquals("22P05", e.getSQLState());
        assertEquals("character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no equivalent in"
                + " encoding \"LATIN1\"", e.getMessage());
        SQLException emoji = assertThrows(SQLException.class, () -> ClientEncoding.of("EUC_JP").encode("a😀"));
        assertEquals("character with byte sequence 0xf0 0x9f 0x98 0x80 in encoding \"UTF8\" has no equivalent in"
                + " encoding \"EUC_JP\"", emoji.getMessage());
    }

    @Test
    void invalidClientBytesAre22021() throws SQLException {
        ClientEncoding euc = ClientEncoding.of("EUC_JP");
        assertEquals("日本", euc.decode("日本".getBytes(EUC_JP), 0, 4));
        byte[] bad = {'a', (byte) 0xa4, ' '};
        SQLException e = assertThrows(SQLException.class, () -> euc.decode(bad, 0, bad.length));
        assertEquals("22021", e.getSQLState());
        assertTrue(e.getMessage().startsWith("invalid byte sequence for encoding \"EUC_JP\": 0xa4"), e.getMessage());
    }

    @Test
    void aCopyStreamMayCutACharacterBetweenTwoMessages() throws SQLException {
        ClientEncoding euc = ClientEncoding.of("EUC_JP");
        byte[] all = "1\t日本語\n".getBytes(EUC_JP);
        for (int cut = 0; cut <= all.length; cut++) {
            ClientEncoding.StreamDecoder d = euc.decoder();
            ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
            utf8.writeBytes(d.toUtf8(java.util.Arrays.copyOfRange(all, 0, cut)));
            utf8.writeBytes(d.toUtf8(java.util.Arrays.copyOfRange(all, cut, all.length)));
            d.finish();
            assertEquals("1\t日本語\n", utf8.toString(StandardCharsets.UTF_8), "cut at " + cut);
        }
        ClientEncoding.StreamDecoder truncated = euc.decoder();
        truncated.toUtf8(new byte[] {'x', (byte) 0xc6});
        assertEquals("22021", assertThrows(SQLException.class, truncated::finish).getSQLState());
    }

    @Test
    void bindConvertsTextParametersAndLeavesBinaryOnesAlone() throws SQLException {
        ClientEncoding latin1 = ClientEncoding.of("LATIN1");
        byte[] text = "é".getBytes(LATIN1);
        byte[] binary = {0, 0, (byte) 0xe9, (byte) 0xff};
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("p\0s\0".getBytes(LATIN1));
        b.writeBytes(new byte[] {0, 2, 0, 0, 0, 1}); // formats: text, binary
        b.writeBytes(new byte[] {0, 3});              // three parameters
        b.writeBytes(new byte[] {0, 0, 0, 1});
        b.writeBytes(text);
        b.writeBytes(new byte[] {0, 0, 0, 4});
        b.writeBytes(binary);
        b.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // NULL
        b.writeBytes(new byte[] {0, 0});
        PgFrame converted = MessageTranscoder.toUtf8(new PgFrame((byte) 'B', b.toByteArray()), latin1);
        assertEquals("p", converted.readCString());
        assertEquals("s", converted.readCString());
        assertEquals(2, converted.readShort());
        converted.readShort();
        converted.readShort();
        assertEquals(3, converted.readShort());
        assertEquals("é", new String(converted.readBytes(converted.readInt()), StandardCharsets.UTF_8));
        assertArrayEquals(binary, converted.readBytes(converted.readInt()));
        assertNull(converted.readBytes(converted.readInt()));
        assertEquals(0, converted.readShort());
        assertEquals(0, converted.remaining());
    }

    @Test
    void queryTextIsConvertedAndAsciiFramesAreLeftAsTheyAre() throws SQLException {
        ClientEncoding sjis = ClientEncoding.of("SJIS");
        byte[] q = "select '表示'\0".getBytes(Charset.forName("windows-31j"));
        assertEquals("select '表示'", MessageTranscoder.toUtf8(new PgFrame((byte) 'Q', q), sjis).readCString());
        PgFrame ascii = new PgFrame((byte) 'Q', "select 1\0".getBytes(LATIN1));
        assertSame(ascii, MessageTranscoder.toUtf8(ascii, sjis));
        byte[] bad = {'s', (byte) 0x81, 0};  // a lead byte without its trail byte
        assertEquals("22021", assertThrows(SQLException.class,
                () -> MessageTranscoder.toUtf8(new PgFrame((byte) 'Q', bad), sjis)).getSQLState());
    }

    @Test
    void backendMessagesAreSentInTheClientsEncodingExceptResultDataWrittenAlreadyEncoded() throws SQLException {
        ClientEncoding latin1 = ClientEncoding.of("LATIN1");
        ByteBuf b = Unpooled.buffer();
        BackendMessages.commandComplete(b, "SELECT 1");
        BackendMessages.errorOrNotice(b, 'N', new ErrorFields("NOTICE", "00000", "café €", null, null, null, null));
        int rowAt = BackendMessages.begin(b, 'D');
        b.writeShort(1).writeInt(1).writeByte(0xe9); // a DataRow its writer has already encoded
        BackendMessages.end(b, rowAt);
        BackendMessages.readyForQuery(b, 'I');
        ByteBuf out = MessageTranscoder.toClient(b, latin1, ByteBufAllocator.DEFAULT);
        try {
            assertEquals(0, b.refCnt(), "the UTF-8 buffer is released");
            byte[] all = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), all);
            String s = new String(all, LATIN1);
            assertTrue(s.contains("Mcafé ?\0"), s);           // ? for what LATIN1 cannot show
            assertTrue(s.contains("D\0\0\0\13\0\1\0\0\0\1é"), s); // the DataRow untouched
            assertTrue(s.endsWith("Z\0\0\0\5I"), s);
            // every length word is right: walk the messages
            int pos = 0;
            int messages = 0;
            while (pos < all.length) {
                pos += 1 + java.nio.ByteBuffer.wrap(all, pos + 1, 4).getInt();
                messages++;
            }
            assertEquals(all.length, pos);
            assertEquals(4, messages);
        } finally {
            out.release();
        }
        ByteBuf ascii = Unpooled.buffer();
        BackendMessages.commandComplete(ascii, "SELECT 1");
        assertSame(ascii, MessageTranscoder.toClient(ascii, latin1, ByteBufAllocator.DEFAULT));
        ascii.release();
    }
}

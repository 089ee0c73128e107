package dev.warden.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole frames out of split and coalesced bytes; lengths guarded; every buffer released. */
class PgFrameDecoderTest {

    static byte[] stream() throws IOException {
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(8);
        out.writeInt(PgFrameDecoder.SSL_REQUEST);
        byte[] params = "user\0alice\0database\0app\0\0".getBytes(StandardCharsets.UTF_8);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        byte[] q = "select 1\0".getBytes(StandardCharsets.UTF_8);
        out.writeByte('Q');
        out.writeInt(4 + q.length);
        out.write(q);
        out.writeByte('S');
        out.writeInt(4);
        out.writeByte('X');
        out.writeInt(4);
        return bytes.toByteArray();
    }

    static List<PgFrame> feed(EmbeddedChannel ch, byte[] data, int chunk) {
        List<PgFrame> frames = new ArrayList<>();
        List<ByteBuf> inputs = new ArrayList<>();
        for (int i = 0; i < data.length; i += chunk) {
            ByteBuf b = Unpooled.wrappedBuffer(data, i, Math.min(chunk, data.length - i));
            inputs.add(b);
            ch.writeInbound(b);
            PgFrame f;
            while ((f = ch.readInbound()) != null) {
                frames.add(f);
            }
        }
        // the stream ended on a frame boundary, so nothing may be held back in the cumulation
        for (ByteBuf b : inputs) {
            assertEquals(0, b.refCnt(), "input buffer released");
        }
        return frames;
    }

    @Test
    void splitAndCoalescedBytesGiveTheSameWholeFrames() throws IOException {
        byte[] data = stream();
        for (int chunk : new int[] {1, 2, 3, 5, 7, 13, data.length}) {
            EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
            List<PgFrame> frames = feed(ch, data, chunk);
            assertEquals(5, frames.size(), "chunk " + chunk);
            assertEquals(PgFrame.STARTUP, frames.get(0).type());
            assertEquals(PgFrameDecoder.SSL_REQUEST, frames.get(0).readInt());
            assertEquals(PgFrame.STARTUP, frames.get(1).type());
            assertEquals(196608, frames.get(1).readInt());
            assertEquals("user", frames.get(1).readCString());
            assertEquals('Q', frames.get(2).type());
            assertEquals("select 1", frames.get(2).readCString());
            assertEquals('S', frames.get(3).type());
            assertEquals(0, frames.get(3).payload().length);
            assertEquals('X', frames.get(4).type());
            assertFalse(ch.finish());
        }
    }

    @Test
    void incompleteFrameWaitsForTheRest() {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 8, 4}));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xd2, 0x16, 0x2f}));
        PgFrame f = ch.readInbound();
        assertArrayEquals(new byte[] {4, (byte) 0xd2, 0x16, 0x2f}, f.payload());
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedTypedMessageIsRejectedBeforeItArrives() throws IOException {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(1024));
        byte[] params = "user\0a\0\0".getBytes(StandardCharsets.UTF_8);
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.writeByte('Q');
        out.writeInt(4 + 1025);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes.toByteArray(), 0, 8 + params.length));
        ((PgFrame) ch.readInbound()).readInt();
        ByteBuf rest = Unpooled.wrappedBuffer(bytes.toByteArray(), 8 + params.length, 5);
        assertThrows(TooLongFrameException.class, () -> ch.writeInbound(rest));
        assertEquals(0, rest.refCnt());
        // everything after the failure is discarded, not decoded
        ByteBuf more = Unpooled.wrappedBuffer(new byte[] {'S', 0, 0, 0, 4});
        ch.writeInbound(more);
        assertNull(ch.readInbound());
        assertEquals(0, more.refCnt());
        ch.finishAndReleaseAll();
    }

    @Test
    void invalidLengthsAreCorruptFrames() {
        EmbeddedChannel startup = new EmbeddedChannel(new PgFrameDecoder());
        assertThrows(CorruptedFrameException.class,
                () -> startup.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 3})));
        EmbeddedChannel huge = new EmbeddedChannel(new PgFrameDecoder());
        assertThrows(CorruptedFrameException.class,
                () -> huge.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x7f, 0, 0, 0, 0, 0, 0, 0})));
        startup.finishAndReleaseAll();
        huge.finishAndReleaseAll();
    }

    @Test
    void typedLengthBelowFourIsCorrupt() throws IOException {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder());
        byte[] params = "user\0a\0\0".getBytes(StandardCharsets.UTF_8);
        var bytes = new ByteArrayOutputStream();
        var out = new DataOutputStream(bytes);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.writeByte('Q');
        out.writeInt(2);
        assertThrows(CorruptedFrameException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(bytes.toByteArray())));
        ch.finishAndReleaseAll();
    }
}

package dev.warden.gateway.transport;

import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.gateway.wire.PgFrameReader;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Both transports decode frames with {@link PgFrameReader}: the event loop through {@link PgFrameDecoder}, the
 * per-session socket thread through {@link SocketFrameInput}. Each stream here is fed to both, cut into chunks of
 * every size from one byte to the whole stream (split and coalesced frames), and both must give the same frames,
 * or fail on the same malformed length after giving the frames before it.
 */
class PgFrameReaderTest {

    private static final int MAX = 64 * 1024;

    /** What one transport made of a stream: its frames, and the failure that stopped it (null if none). */
    record Outcome(List<PgFrame> frames, Exception failure) {}

    // ------------------------------------------------------------------------------------------- streams

    private static final class Stream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        Stream untyped(int code, byte[] rest) throws IOException {
            out.writeInt(8 + rest.length);
            out.writeInt(code);
            out.write(rest);
            return this;
        }

        Stream startup() throws IOException {
            return untyped(196608, "user\0alice\0database\0app\0\0".getBytes(StandardCharsets.UTF_8));
        }

        Stream message(char type, byte[] payload) throws IOException {
            out.writeByte(type);
            out.writeInt(4 + payload.length);
            out.write(payload);
            return this;
        }

        Stream raw(int... ints) throws IOException {
            for (int i : ints) out.writeInt(i);
            return this;
        }

        Stream rawByte(int b) throws IOException {
            out.write(b);
            return this;
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    private static byte[] text(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------- transports

    /** The event loop's decoder; every input buffer must be released whatever happens. */
    static Outcome netty(byte[] data, int chunk, boolean typed) {
        EmbeddedChannel ch = new EmbeddedChannel(new PgFrameDecoder(MAX));
        List<PgFrame> frames = new ArrayList<>();
        List<ByteBuf> inputs = new ArrayList<>();
        Exception failure = null;
        if (typed) {
            // the event loop always starts untyped: give it a startup packet first and drop its frame
            byte[] startup = startupBytes();
            ch.writeInbound(Unpooled.wrappedBuffer(startup));
            assertNotNull(ch.readInbound());
        }
        for (int i = 0; i < data.length && failure == null; i += chunk) {
            ByteBuf b = Unpooled.wrappedBuffer(data, i, Math.min(chunk, data.length - i));
            inputs.add(b);
            try {
                ch.writeInbound(b);
            } catch (CorruptedFrameException | TooLongFrameException e) {
                failure = e;
            }
            PgFrame f;
            while ((f = ch.readInbound()) != null) {
                frames.add(f);
            }
        }
        ch.finishAndReleaseAll();
        for (ByteBuf b : inputs) {
            assertEquals(0, b.refCnt(), "input buffer released");
        }
        return new Outcome(frames, failure);
    }

    /**
     * The session thread's input, fed as {@link ClientSocket} feeds it: each read takes what the socket has, up
     * to the buffer's free space, then every whole frame is taken out.
     */
    static Outcome socket(byte[] data, int chunk, boolean typed) {
        SocketFrameInput input = new SocketFrameInput(new byte[0], MAX, typed);
        List<PgFrame> frames = new ArrayList<>();
        int at = 0;
        try {
            while (at < data.length) {
                int sent = Math.min(chunk, data.length - at);
                int end = at + sent;
                while (at < end) {
                    ByteBuffer room = input.receiving();
                    int n = Math.min(room.remaining(), end - at);
                    room.put(data, at, n);
                    input.received();
                    at += n;
                    PgFrame f;
                    while ((f = input.next()) != null) {
                        frames.add(f);
                    }
                    assertTrue(n > 0 || !input.full(), "a full buffer that holds no whole frame must grow");
                }
            }
        } catch (PgFrameReader.MalformedFrameException e) {
            return new Outcome(frames, e);
        }
        assertEquals(SocketFrameInput.INITIAL_BUFFER, input.capacity(), "a buffer grown for a large frame shrinks back");
        return new Outcome(frames, null);
    }

    private static byte[] startupBytes() {
        try {
            return new Stream().startup().bytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Feeds {@code data} to both transports at every chunk size and checks each outcome. */
    private static void everyChunkSize(byte[] data, boolean typed, java.util.function.Consumer<Outcome> check) {
        for (int chunk = 1; chunk <= data.length; chunk++) {
            int c = chunk;
            for (IntFunction<Outcome> transport : List.<IntFunction<Outcome>>of(
                    size -> netty(data, size, typed), size -> socket(data, size, typed))) {
                Outcome o = transport.apply(c);
                try {
                    check.accept(o);
                } catch (AssertionError e) {
                    throw new AssertionError("chunk size " + c + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static String cString(PgFrame f) {
        return f.readCString();
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void sslRequestStartupAndMessages() throws IOException {
        byte[] data = new Stream().raw(8, PgFrameDecoder.SSL_REQUEST).startup()
                .message('Q', text("select 1")).message('S', new byte[0]).message('X', new byte[0]).bytes();
        everyChunkSize(data, false, o -> {
            assertEquals(null, o.failure());
            assertEquals(5, o.frames().size());
            assertEquals(PgFrame.STARTUP, o.frames().get(0).type());
            assertEquals(PgFrameDecoder.SSL_REQUEST, o.frames().get(0).readInt());
            assertEquals(196608, o.frames().get(1).readInt());
            assertEquals("user", cString(o.frames().get(1)));
            assertEquals('Q', o.frames().get(2).type());
            assertEquals("select 1", cString(o.frames().get(2)));
            assertEquals('S', o.frames().get(3).type());
            assertEquals(0, o.frames().get(3).payload().length);
            assertEquals('X', o.frames().get(4).type());
        });
    }

    @Test
    void cancelAndGssEncRequestsAreUntypedPackets() throws IOException {
        byte[] cancel = new Stream().raw(16, PgFrameDecoder.CANCEL_REQUEST, 4242, -7).bytes();
        everyChunkSize(cancel, false, o -> {
            assertEquals(null, o.failure());
            assertEquals(1, o.frames().size());
            PgFrame f = o.frames().get(0);
            assertEquals(PgFrame.STARTUP, f.type());
            assertEquals(PgFrameDecoder.CANCEL_REQUEST, f.readInt());
            assertEquals(4242, f.readInt());
            assertEquals(-7, f.readInt());
        });
        // a GSSENCRequest leaves the stream untyped: the StartupMessage after it is read as one
        byte[] gss = new Stream().raw(8, PgFrameDecoder.GSSENC_REQUEST).startup().message('S', new byte[0]).bytes();
        everyChunkSize(gss, false, o -> {
            assertEquals(3, o.frames().size());
            assertEquals(196608, o.frames().get(1).readInt());
            assertEquals('S', o.frames().get(2).type());
        });
    }

    @Test
    void aMessageLargerThanTheSocketBufferArrivesWhole() throws IOException {
        byte[] big = new byte[SocketFrameInput.INITIAL_BUFFER * 2 + 17];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 1] = 0;
        byte[] data = new Stream().message('Q', big).message('S', new byte[0]).bytes();
        // every chunk size up to the whole stream would be 33,000 runs: sizes around the buffer's and the frame's
        for (int chunk : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 13, 1000, SocketFrameInput.INITIAL_BUFFER - 1,
                SocketFrameInput.INITIAL_BUFFER, SocketFrameInput.INITIAL_BUFFER + 1, big.length, big.length + 5,
                data.length}) {
            for (Outcome o : List.of(netty(data, chunk, true), socket(data, chunk, true))) {
                assertEquals(null, o.failure(), "chunk " + chunk);
                assertEquals(2, o.frames().size(), "chunk " + chunk);
                assertArrayEquals(big, o.frames().get(0).payload(), "chunk " + chunk);
                assertEquals('S', o.frames().get(1).type());
            }
        }
    }

    @Test
    void malformedStartupLengthsFailAfterTheFramesBeforeThem() throws IOException {
        for (int length : new int[] {0, 3, 7, PgFrameDecoder.MAX_STARTUP_LENGTH + 1, -1}) {
            byte[] data = new Stream().raw(8, PgFrameDecoder.SSL_REQUEST).raw(length, 196608).bytes();
            everyChunkSize(data, false, o -> {
                assertEquals(1, o.frames().size(), "the SSLRequest before the bad packet");
                assertMalformed(o, false);
            });
        }
    }

    @Test
    void malformedTypedLengthsFailAfterTheFramesBeforeThem() throws IOException {
        byte[] small = new Stream().message('S', new byte[0]).rawByte('Q').raw(3).bytes();
        everyChunkSize(small, true, o -> {
            assertEquals(1, o.frames().size());
            assertMalformed(o, false);
        });
        byte[] negative = new Stream().message('S', new byte[0]).rawByte('Q').raw(Integer.MIN_VALUE).bytes();
        everyChunkSize(negative, true, o -> assertMalformed(o, false));
        // over the limit: refused as soon as the length arrives, before the bytes it announces
        byte[] tooLong = new Stream().message('S', new byte[0]).rawByte('Q').raw(4 + MAX + 1).bytes();
        everyChunkSize(tooLong, true, o -> {
            assertEquals(1, o.frames().size());
            assertMalformed(o, true);
        });
        byte[] atLimit = new Stream().message('Q', new byte[MAX]).bytes();
        for (Outcome o : List.of(netty(atLimit, 4096, true), socket(atLimit, 4096, true))) {
            assertEquals(null, o.failure());
            assertEquals(MAX, o.frames().get(0).payload().length);
        }
    }

    private static void assertMalformed(Outcome o, boolean tooLong) {
        assertNotNull(o.failure(), "the malformed length is refused");
        if (o.failure() instanceof PgFrameReader.MalformedFrameException m) {
            assertEquals(tooLong, m.tooLong());
        } else {
            Class<? extends Exception> expected = tooLong ? TooLongFrameException.class : CorruptedFrameException.class;
            assertEquals(expected, o.failure().getClass());
        }
        assertFalse(o.failure().getMessage().isEmpty());
    }
}

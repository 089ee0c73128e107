package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the frontend byte stream on the event loop into whole {@link PgFrame}s, by the rules of
 * {@link PgFrameReader} (which the per-session socket path uses too). Fails with {@link TooLongFrameException} or
 * {@link CorruptedFrameException}, after which it discards all further input. Not sharable: one per channel.
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {

    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    public static final int CANCEL_REQUEST = 80877102;
    public static final int MAX_STARTUP_LENGTH = 10_000;
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

    private final PgFrameReader reader;
    private final ByteBufInput input = new ByteBufInput();
    private boolean failed;

    public PgFrameDecoder() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public PgFrameDecoder(int maxMessageLength) {
        this.reader = new PgFrameReader(maxMessageLength, false);
    }

    /** Bytes received but not yet decoded into a frame, taken out of this decoder. */
    public byte[] takeUndecoded() {
        ByteBuf left = internalBuffer();
        byte[] bytes = new byte[left.readableBytes()];
        left.readBytes(bytes);
        return bytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        input.buf = in;
        try {
            PgFrame frame;
            while ((frame = reader.next(input)) != null) {
                out.add(frame);
            }
        } catch (PgFrameReader.MalformedFrameException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e.tooLong() ? new TooLongFrameException(e.getMessage()) : new CorruptedFrameException(e.getMessage());
        } finally {
            input.buf = null;
        }
    }

    /** The cumulation buffer of one {@link #decode} call. */
    private static final class ByteBufInput implements PgFrameReader.Input {
        ByteBuf buf;

        @Override
        public int readable() {
            return buf.readableBytes();
        }

        @Override
        public byte byteAt(int offset) {
            return buf.getByte(buf.readerIndex() + offset);
        }

        @Override
        public int intAt(int offset) {
            return buf.getInt(buf.readerIndex() + offset);
        }

        @Override
        public void skip(int n) {
            buf.skipBytes(n);
        }

        @Override
        public void read(byte[] dst) {
            buf.readBytes(dst);
        }
    }
}

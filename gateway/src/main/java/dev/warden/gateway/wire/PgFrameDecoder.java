package dev.warden.gateway.wire;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the frontend byte stream into whole {@link PgFrame}s. Until a protocol-3 StartupMessage has been
 * read, packets are untyped ({@code int32 length, int32 code, ...}: SSLRequest, GSSENCRequest, CancelRequest,
 * StartupMessage); after it every message is {@code byte type, int32 length, payload}. Waits for whole
 * frames, guards lengths (startup packets up to 10,000 bytes like PostgreSQL, other messages up to the
 * configured maximum) and fails with {@link TooLongFrameException} or {@link CorruptedFrameException},
 * after which it discards all further input. Not sharable: one per channel.
 */
public final class PgFrameDecoder extends ByteToMessageDecoder {

    public static final int SSL_REQUEST = 80877103;
    public static final int GSSENC_REQUEST = 80877104;
    public static final int CANCEL_REQUEST = 80877102;
    public static final int MAX_STARTUP_LENGTH = 10_000;
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 64 * 1024 * 1024;

    private final int maxMessageLength;
    private boolean typed;
    private boolean failed;

    public PgFrameDecoder() {
        this(DEFAULT_MAX_MESSAGE_LENGTH);
    }

    public PgFrameDecoder(int maxMessageLength) {
        this.maxMessageLength = maxMessageLength;
    }

    /**
     * Why the length word of a typed message cannot be accepted, or null if it can. Shared with
     * {@code ClientSocket}, which decodes the same frames off the event loop.
     */
    public static String lengthProblem(int length, int maxMessageLength) {
        if (length < 4) {
            return "invalid message length " + length;
        }
        if (length - 4 > maxMessageLength) {
            return "message of " + (length - 4) + " bytes exceeds the limit of " + maxMessageLength;
        }
        return null;
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
        while (true) {
            PgFrame frame = typed ? decodeTyped(in) : decodeStartup(in);
            if (frame == null) {
                return;
            }
            out.add(frame);
        }
    }

    private PgFrame decodeStartup(ByteBuf in) {
        if (in.readableBytes() < 4) {
            return null;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 8 || length > MAX_STARTUP_LENGTH) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw new CorruptedFrameException("invalid length of startup packet");
        }
        if (in.readableBytes() < length) {
            return null;
        }
        in.skipBytes(4);
        byte[] payload = new byte[length - 4];
        in.readBytes(payload);
        int code = ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8)
                | (payload[3] & 0xff);
        if (code >>> 16 == 3) {
            typed = true;
        }
        return new PgFrame(PgFrame.STARTUP, payload);
    }

    private PgFrame decodeTyped(ByteBuf in) {
        if (in.readableBytes() < 5) {
            return null;
        }
        int start = in.readerIndex();
        byte type = in.getByte(start);
        int length = in.getInt(start + 1);
        String invalid = lengthProblem(length, maxMessageLength);
        if (invalid != null) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw length < 4 ? new CorruptedFrameException(invalid) : new TooLongFrameException(invalid);
        }
        if (in.readableBytes() < 1 + length) {
            return null;
        }
        in.skipBytes(5);
        byte[] payload = new byte[length - 4];
        in.readBytes(payload);
        return new PgFrame(type, payload);
    }
}

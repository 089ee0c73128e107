package dev.warden.gateway.transport;

import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.session.QueuedCopyInput;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ErrorFields;
import dev.warden.gateway.wire.PgFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;

/**
 * The event-loop side of an authenticated session: hands each frame to the session's serial executor (copy
 * data straight to the running COPY), wakes the worker when the channel becomes writable, and cancels and
 * releases the backend when the client goes away. Never blocks. One per channel.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private final GatewaySession session;
    private final NettyClientOutput output;
    private final QueuedCopyInput copyInput;
    /** Frames decoded from the current read, handed over as one task at read completion. */
    private java.util.ArrayList<PgFrame> pending;

    SessionHandler(GatewaySession session, NettyClientOutput output, QueuedCopyInput copyInput) {
        this.session = session;
        this.output = output;
        this.copyInput = copyInput;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        PgFrame f = (PgFrame) msg;
        byte t = f.type();
        if (t == 'd' || t == 'c' || t == 'f') {
            copyInput.offer(f);
        } else {
            if (pending == null) {
                pending = new java.util.ArrayList<>(4);
            }
            pending.add(f);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitPending();
        ctx.fireChannelReadComplete();
    }

    /**
     * One task per read rather than per message: a pipelined Bind/Describe/Execute/Sync then costs one
     * hand-over to the worker thread instead of four.
     */
    private void submitPending() {
        java.util.ArrayList<PgFrame> batch = pending;
        if (batch == null) {
            return;
        }
        pending = null;
        if (batch.size() == 1) {
            PgFrame f = batch.get(0);
            session.executor.execute(() -> session.handle(f));
        } else {
            session.executor.execute(() -> session.handleAll(batch));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        output.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submitPending();
        session.clientGone();
        copyInput.clientGone();
        session.executor.execute(session::close);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        submitPending();
        if (cause instanceof DecoderException) {
            // ordered after everything already queued for this session
            String message = cause.getMessage();
            session.executor.execute(() -> {
                var out = session.output();
                BackendMessages.errorOrNotice(out.buf(), 'E', ErrorFields.fatal("08P01",
                        "invalid frontend message: " + message));
                out.flush();
                ctx.channel().close();
            });
        } else {
            ctx.close();
        }
    }
}

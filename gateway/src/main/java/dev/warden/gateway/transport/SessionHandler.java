package dev.warden.gateway.transport;

import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.session.QueuedCopyInput;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ErrorFields;
import dev.warden.gateway.wire.PgFrame;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import java.util.concurrent.TimeUnit;

/**
 * The event-loop side of an authenticated session: hands each frame to the session's serial executor (copy
 * data straight to the running COPY), wakes the worker when the channel becomes writable, and cancels and
 * releases the backend when the client goes away. Never blocks. One per channel.
 *
 * <p>The channel allows half-closure ({@link AuthenticationHandler} sets it when it installs this handler): a
 * client that ends its input after its last message still gets the answers, as from PostgreSQL, which reads a
 * statement, answers it, and only then reads the end of input ({@link #inputEnded}).
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The client's input ended (it half-closed, or closed and is gone; the two look alike here). What it sent
     * before is answered, then the session ends and the connection closes after the answers. A statement still
     * running at a later look (every {@link #LIVENESS_MILLIS}) is cancelled as one of a vanished client, which is
     * what a session on its own thread does when its liveness probe finds the end of input.
     */
    private void inputEnded(ChannelHandlerContext ctx) {
        submitPending();
        copyInput.clientGone(); // a COPY FROM STDIN gets no more data
        session.executor.execute(() -> {
            session.close();
            ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        });
        cancelIfStillRunning(ctx);
    }

    static final long LIVENESS_MILLIS = 250;

    private void cancelIfStillRunning(ChannelHandlerContext ctx) {
        ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (session.isRunningStatement()) {
                session.clientGone();
            }
            cancelIfStillRunning(ctx);
        }, LIVENESS_MILLIS, TimeUnit.MILLISECONDS);
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

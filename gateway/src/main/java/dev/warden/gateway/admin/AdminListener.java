package dev.warden.gateway.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's admin HTTP listener: {@code GET /metrics} answers {@code metrics.get()} as Prometheus text
 * (format 0.0.4), {@code GET /health} runs every {@link HealthProbe} and answers with the worst finding:
 * 200 with {@code {"status":"up","checks":{...}}} when all pass, 200 with {@code "status":"degraded"} when the
 * gateway serves correctly but a check needs an operator, 503 with {@code "status":"down"} when it cannot serve;
 * each check that did not pass gives its reason. Other paths get 404, other methods 405, a malformed or oversized
 * request 400; every answer closes its connection.
 *
 * <p>Requests are read without blocking (one Netty event loop thread of its own), so a client that sends its
 * request slowly or never finishes it holds no thread and cannot keep {@code /health} from answering; it is
 * dropped after {@value #READ_TIMEOUT_SECONDS} s without a byte, and a request line or headers over their bounds
 * are refused. Scrapes and probes run one at a time on one daemon thread ({@code warden-admin}), so a slow probe
 * never takes a session's thread or an event loop. Thread-safe; {@link #close} stops it.
 */
public final class AdminListener implements AutoCloseable {

    static final int READ_TIMEOUT_SECONDS = 5;
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int MAX_BODY = 1024;

    private final EventLoopGroup loop;
    private final ExecutorService thread;
    private final Channel server;

    private AdminListener(EventLoopGroup loop, ExecutorService thread, Channel server) {
        this.loop = loop;
        this.thread = thread;
        this.server = server;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @throws IOException when the address cannot be bound (taken, not an address of this host)
     */
    public static AdminListener start(InetSocketAddress address, Supplier<String> metrics, List<HealthProbe> probes)
            throws IOException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "warden-admin-io");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-admin");
            t.setDaemon(true);
            return t;
        });
        try {
            Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                                    new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY),
                                    new HttpObjectAggregator(MAX_BODY),
                                    new RequestHandler(thread, metrics, probes));
                        }
                    })
                    .bind(address).sync().channel();
            return new AdminListener(loop, thread, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(loop, thread);
            throw new IOException("interrupted while binding " + address, e);
        } catch (RuntimeException e) {
            stop(loop, thread);
            throw e;
        } catch (Exception e) {  // Netty rethrows the bind's checked exception (a BindException) undeclared
            stop(loop, thread);
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Answers one request per connection: the scrape or the probes on the admin thread, never on the event loop. */
    private static final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ExecutorService thread;
        private final Supplier<String> metrics;
        private final List<HealthProbe> probes;

        RequestHandler(ExecutorService thread, Supplier<String> metrics, List<HealthProbe> probes) {
            this.thread = thread;
            this.metrics = metrics;
            this.probes = probes;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean head = HttpMethod.HEAD.equals(request.method());
            if (!request.decoderResult().isSuccess()) {
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "bad request\n", false, null);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).path();
            if (!path.equals("/metrics") && !path.equals("/health")) {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "not found: try /metrics or /health\n", head, null);
                return;
            }
            if (!HttpMethod.GET.equals(request.method()) && !head) {
                respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "method not allowed\n",
                        false, "GET, HEAD");
                return;
            }
            try {
                thread.execute(() -> {
                    if (path.equals("/metrics")) {
                        respond(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.get(),
                                head, null);
                    } else {
                        health(ctx, head);
                    }
                });
            } catch (RejectedExecutionException closed) {
                ctx.close();
            }
        }

        private void health(ChannelHandlerContext ctx, boolean head) {
            StringBuilder checks = new StringBuilder();
            HealthProbe.Status worst = HealthProbe.Status.UP;
            for (HealthProbe probe : probes) {
                HealthProbe.Finding finding;
                try {
                    finding = probe.check();
                } catch (RuntimeException e) {
                    finding = HealthProbe.Finding.down(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                if (finding.status().compareTo(worst) > 0) worst = finding.status();
                if (!checks.isEmpty()) checks.append(',');
                checks.append(quote(probe.name())).append(':')
                        .append(finding.status() == HealthProbe.Status.UP ? "\"up\"" : quote(finding.reason()));
            }
            // a degraded gateway still serves its clients correctly: 200, so that a load balancer keeps it
            respond(ctx, worst == HealthProbe.Status.DOWN ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                    "application/json", "{\"status\":" + quote(worst.name().toLowerCase(java.util.Locale.ROOT))
                            + ",\"checks\":{" + checks + "}}\n", head, null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();  // a read timeout, a reset: nothing to answer
        }
    }

    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body,
                                boolean head, String allow) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (allow != null) response.headers().set(HttpHeaderNames.ALLOW, allow);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** A JSON string. */
    static String quote(String text) {
        StringBuilder s = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
                    else s.append(c);
                }
            }
        }
        return s.append('"').toString();
    }

    /** The port listened on (the one given, or the ephemeral one bound for port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
        stop(loop, thread);
    }

    private static void stop(EventLoopGroup loop, ExecutorService thread) {
        thread.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}

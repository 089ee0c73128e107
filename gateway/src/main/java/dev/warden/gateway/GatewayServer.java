package dev.warden.gateway;

import dev.warden.gateway.auth.AuthFailureLimiter;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.LoginRules;
import dev.warden.gateway.backend.BackendConnector;
import dev.warden.gateway.backend.CopyRunner;
import dev.warden.gateway.session.CopyRelay;
import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.session.IdleNotificationPoller;
import dev.warden.gateway.session.SessionRegistry;
import dev.warden.gateway.session.SessionServices;
import dev.warden.gateway.session.SessionsByPid;
import dev.warden.gateway.transport.AuthenticationHandler;
import dev.warden.gateway.transport.ClientSocket;
import dev.warden.gateway.transport.ClientTls;
import dev.warden.gateway.transport.HandoverServerSocketChannel;
import dev.warden.gateway.transport.SessionLauncher;
import dev.warden.gateway.transport.SocketClientOutput;
import dev.warden.gateway.transport.SocketSessionLoop;
import dev.warden.gateway.transport.StartupServices;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgFrameDecoder;
import dev.warden.gateway.wire.PgTypeCatalog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL-protocol gateway: a Netty listener whose sessions authenticate clients and run their
 * statements over JDBC connections from a {@link BackendConnector}. Owns the event loops, the worker pool
 * that runs the sessions' blocking JDBC work, the cancel-key registry, the auth-failure limiter and the
 * type catalog, and gives sessions ({@link SessionServices}) and the startup phase ({@link StartupServices})
 * only what they use, never itself. Refuses to listen on a non-loopback address without TLS unless explicitly
 * allowed.
 * Thread-safe; {@link #close()} stops listening and closes the connector.
 */
public final class GatewayServer implements SessionLauncher, AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final GatewayConfig config;
    private final BackendConnector connector;
    private final CopyRunner copyRunner;
    private final SslContext sslContext;
    private final byte[] channelBindingData;
    private final AuthFailureLimiter limiter = new AuthFailureLimiter(5, 60_000);
    private final LoginAudit loginAudit;
    private final SessionRegistry sessions = new SessionsByPid();
    /** Sessions served on their own thread, and their sockets (for the liveness probe and shutdown). */
    private final Map<GatewaySession, ClientSocket> socketSessions = new ConcurrentHashMap<>();
    private final ExecutorService workers;
    private SessionIo sessionIo = SessionIo.fromSystemProperty();
    private java.util.concurrent.ScheduledExecutorService livenessProbe;
    private final IdleNotificationPoller notificationPoller = new IdleNotificationPoller();
    /** What sessions and the startup phase are given instead of this server. */
    private final SessionServices sessionServices;
    private final StartupServices startupServices;
    private EventLoopGroup boss;
    private EventLoopGroup group;
    private Channel listener;
    private String transport = "not started";
    private final java.util.concurrent.atomic.LongAdder sessionsOpened = new java.util.concurrent.atomic.LongAdder();
    private GatewayAdmin admin;  // null unless admin: is configured

    /**
     * How an authenticated session is served. THREAD (the default): the session's thread reads and writes the
     * client socket itself (decrypting and encrypting over TLS), so a request costs no hand-off between
     * threads. EVENT_LOOP: the event loop reads and writes (Netty's SslHandler over TLS), a worker runs the
     * JDBC work. Chosen with the system property {@code warden.gateway.session-io=thread|event-loop}.
     */
    enum SessionIo {
        THREAD, EVENT_LOOP;

        static SessionIo fromSystemProperty() {
            String v = System.getProperty("warden.gateway.session-io", "thread");
            return switch (v) {
                case "thread" -> THREAD;
                case "event-loop" -> EVENT_LOOP;
                default -> throw new IllegalArgumentException(
                        "warden.gateway.session-io must be thread or event-loop, not " + v);
            };
        }
    }

    public GatewayServer(GatewayConfig config, BackendConnector connector, CopyRunner copyRunner) {
        this.config = config;
        this.connector = connector;
        this.copyRunner = copyRunner;
        try {
            this.sslContext = config.tls() == null ? null
                    : SslContextBuilder.forServer(config.tls().certificate().toFile(), config.tls().privateKey().toFile())
                    // the JDK's engine, whatever else is on the class path: a session thread takes it over from the
                    // SslHandler (ClientTls), and removing the SslHandler releases an OpenSSL engine it would use
                    .sslProvider(io.netty.handler.ssl.SslProvider.JDK)
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException("cannot load TLS certificate or key: " + e.getMessage(), e);
        }
        this.channelBindingData = config.tls() == null ? null : endpointHash(config.tls().certificate());
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "warden-session-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.loginAudit = new LoginAudit(config.policy(), config.masterKey(), workers);
        this.sessionServices = new SessionServices(workers, connector, copyRunner, notificationPoller, sessions);
        this.startupServices = new StartupServices(new LoginRules(config.users(), config.defaultAuth(),
                config.allowCleartextPassword(), config.allowMd5WithoutTls(), config.maxClients()), limiter,
                sslContext, channelBindingData, loginAudit, this, sessionServices);
    }

    /**
     * RFC 5929 tls-server-end-point data: the hash of the server certificate with its signature's hash
     * function (SHA-256 when that is MD5 or SHA-1), or null when it cannot be computed (binding not offered).
     */
    static byte[] endpointHash(java.nio.file.Path certificatePem) {
        try (var in = java.nio.file.Files.newInputStream(certificatePem)) {
            var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in);
            String alg = cert.getSigAlgName().toUpperCase(java.util.Locale.ROOT);
            String hash = alg.startsWith("SHA384") ? "SHA-384" : alg.startsWith("SHA512") ? "SHA-512" : "SHA-256";
            return java.security.MessageDigest.getInstance(hash).digest(cert.getEncoded());
        } catch (java.io.IOException | java.security.GeneralSecurityException | ClassCastException e) {
            return null;
        }
    }

    /** Binds the listener (port 0: an ephemeral port, see {@link #port()}). */
    public GatewayServer start() throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(config.host(), config.port());
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("cannot resolve listen host " + config.host());
        }
        if (!ip.isLoopbackAddress() && sslContext == null && !config.allowInsecureNonLoopback()) {
            throw new IllegalStateException("refusing to listen on non-loopback address " + config.host()
                    + " without TLS; configure tls or set allow-insecure-non-loopback: true");
        }
        if (config.admin() != null) startAdmin();
        // sessions on their own threads need java.nio sockets; the native transport only serves event-loop I/O
        boolean epoll = sessionIo == SessionIo.EVENT_LOOP && Epoll.isAvailable()
                && !Boolean.getBoolean("warden.gateway.nio");
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        boss = new MultiThreadIoEventLoopGroup(1, io);
        int loops = Integer.getInteger("warden.gateway.eventLoops",
                Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        group = new MultiThreadIoEventLoopGroup(loops, io);
        transport = (epoll ? "epoll" : "nio") + ", " + loops + " event loop(s), "
                + (sessionIo == SessionIo.THREAD ? "sessions on their own threads" : "sessions on the event loop");
        if (sessionIo == SessionIo.THREAD) {
            livenessProbe = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "warden-client-liveness");
                t.setDaemon(true);
                return t;
            });
            livenessProbe.scheduleWithFixedDelay(this::probeClientsOfRunningStatements, 250, 250,
                    TimeUnit.MILLISECONDS);
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, group)
                .channel(epoll ? EpollServerSocketChannel.class
                        : sessionIo == SessionIo.THREAD ? HandoverServerSocketChannel.class : NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("frames", new PgFrameDecoder(config.maxMessageBytes()));
                        ch.pipeline().addLast("auth", new AuthenticationHandler(startupServices));
                    }
                });
        listener = b.bind(address).sync().channel();
        return this;
    }

    /**
     * Starts the admin listener before the clients' one, so that a bad admin address fails start-up before any
     * client is served. The engine is opened now (it is shared with the sessions' connections) to publish its meters.
     */
    private void startAdmin() {
        dev.warden.engine.WardenEngine engine = null;
        if (config.policy() != null) {
            try {
                engine = dev.warden.engine.WardenEngine.forConfig(
                        new dev.warden.engine.EngineConfig(config.policy(), config.masterKey()));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot open the policy for the admin listener: " + e.getMessage(), e);
            }
        }
        admin = GatewayAdmin.start(config, engine, connector, sessions::size, sessionsOpened::sum);
    }

    /** The admin listener's port, or -1 without one. */
    public int adminPort() {
        return admin == null ? -1 : admin.port();
    }

    /** The port actually listened on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Which Netty transport and how many event loops serve the clients. */
    public String transport() {
        return transport;
    }

    /** Blocks until the listener closes. */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().sync();
    }

    BackendConnector connector() {
        return connector;
    }

    /** For tests: serve sessions the other way. Before {@link #start()}. */
    GatewayServer sessionIo(SessionIo io) {
        this.sessionIo = io;
        return this;
    }

    @Override
    public boolean servesOnOwnThread(Channel channel) {
        return sessionIo == SessionIo.THREAD && channel instanceof HandoverServerSocketChannel.Child;
    }

    @Override
    public GatewaySession newSession(Channel channel, ClientOutput out, CopyRelay.CopyInput copyInput, GatewayUser user,
                                     String purpose, Map<String, String> settings) {
        return newSession(channel, out, copyInput, user, purpose, settings, false);
    }

    private GatewaySession newSession(Channel channel, ClientOutput out, CopyRelay.CopyInput copyInput,
                                      GatewayUser user, String purpose, Map<String, String> settings,
                                      boolean ownThread) {
        while (true) {
            int pid = provisionalPid();
            GatewaySession s = new GatewaySession(channel, out, copyInput, sessionServices, user, purpose, settings, pid,
                    RANDOM.nextInt(), ownThread);
            if (sessions.register(s)) {
                sessionsOpened.increment();
                return s;
            }
        }
    }

    @Override
    public void serveOnOwnThread(HandoverServerSocketChannel.Child channel, ClientTls tls, List<PgFrame> decoded,
                                 byte[] undecoded, GatewayUser user, String purpose, Map<String, String> settings) {
        ClientSocket socket;
        try {
            socket = new ClientSocket(channel.socket(), tls, decoded, undecoded, config.maxMessageBytes());
        } catch (java.io.IOException e) {
            closeQuietly(channel.socket());
            return;
        }
        CopyRelay.CopyInput copyInput = () -> {
            try {
                PgFrame f = socket.readCopyFrame();
                if (f != null) {
                    return f;
                }
            } catch (java.io.IOException e) {
                // the client is gone or broke the protocol; either way the COPY cannot go on
            }
            throw new ClientOutput.ClientGoneException();
        };
        GatewaySession session = newSession(channel, new SocketClientOutput(socket, channel.alloc()), copyInput,
                user, purpose, settings, true);
        socketSessions.put(session, socket);
        try {
            workers.execute(() -> {
                try {
                    new SocketSessionLoop(session, socket).run();
                } finally {
                    socketSessions.remove(session);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            socketSessions.remove(session);
            session.close();
            socket.close();
        }
    }

    /**
     * A session busy with a statement is not reading its client, so this looks for clients that went away
     * meanwhile, and cancels their statements (the event loop notices the same for event-loop sessions).
     */
    private void probeClientsOfRunningStatements() {
        for (var e : socketSessions.entrySet()) {
            if (e.getKey().isRunningStatement() && e.getValue().probeClosed()) {
                e.getKey().clientGone();
            }
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (java.io.IOException ignored) {
            // closing anyway
        }
    }

    /**
     * A process id for a session's BackendKeyData until its backend connection is open (and for good when the
     * backend's own cannot be used): above Linux's largest process id (2^22), so never one a backend has.
     */
    private static int provisionalPid() {
        return (1 << 22) + 1 + RANDOM.nextInt(Integer.MAX_VALUE - (1 << 22) - 1);
    }

    /** Number of open client sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    @Override
    public void close() {
        // bounded waits: a shutdown hook must not hang the JVM's exit
        if (listener != null) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (admin != null) {
            admin.close();
        }
        if (livenessProbe != null) {
            livenessProbe.shutdownNow();
        }
        notificationPoller.close();
        socketSessions.values().forEach(ClientSocket::close);
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connector.close();
    }
}

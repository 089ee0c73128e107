package dev.warden.gateway.transport;

import dev.warden.gateway.auth.AuthMethod;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.RefusedLogins;
import dev.warden.gateway.auth.ScramServerExchange;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.session.QueuedCopyInput;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ErrorFields;
import dev.warden.gateway.wire.PgFrame;
import dev.warden.gateway.wire.PgFrameDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The startup phase of one client connection, on the event loop: answers SSLRequest/GSSENCRequest (TLS
 * through Netty's {@link SslHandler} when configured), forwards CancelRequest, reads the StartupMessage,
 * authenticates the user with its {@link AuthMethod} (SCRAM-SHA-256 by default; a cleartext password or md5
 * only over TLS unless the configuration allows them without), maps the user to role and purpose, and then
 * replaces itself with a {@link SessionHandler}. Failures are rate-limited per remote address. A cleartext
 * password is checked on a worker thread (a PBKDF2 run would stall the event loop). Every way a startup that
 * began ends without a session (a {@link #fatal} reply, or the authentication timeout) leaves an
 * {@code authentication} event on the audit trail ({@link RefusedLogins}): user, address, reason, never the
 * password. One per channel, not sharable.
 */
public final class AuthenticationHandler extends ChannelInboundHandlerAdapter {

    private static final long AUTH_TIMEOUT_SECONDS = 60;
    private static final java.security.SecureRandom SALT_RANDOM = new java.security.SecureRandom();
    /** Startup parameters that are not backend settings (client_encoding is the session's: see GatewaySession). */
    private static final Set<String> NOT_SETTINGS = Set.of("user", "database", "options", "replication",
            "datestyle", "role", "session_authorization");

    private enum State { STARTUP, SASL_INITIAL, SASL_FINAL, PASSWORD, MD5, CHECKING, DONE }

    private final StartupServices services;
    private State state = State.STARTUP;
    /** Once the session is handed to its own thread: frames that arrived with the last authentication message. */
    private List<PgFrame> handedOver;
    /**
     * While a password is checked off the event loop: the frames that came with it (a client may send its first
     * statements right after the password, which PostgreSQL reads once it has sent AuthenticationOk), judged by
     * the session if the password is right. No more is read meanwhile, so this is at most one read's worth.
     */
    private List<PgFrame> whileChecking;
    private String userName;
    private GatewayUser user;
    private String purpose;
    private Map<String, String> settings;
    private ScramServerExchange scram;
    /** The salt of the md5 challenge sent. */
    private byte[] md5Salt;
    private ScheduledFuture<?> timeout;

    public AuthenticationHandler(StartupServices services) {
        this.services = services;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timeout = ctx.executor().schedule(() -> {
            if (state != State.DONE) {
                if (state != State.STARTUP) {
                    refusedLogin(ctx, "08006", "authentication timed out");
                }
                ctx.close();
            }
        }, AUTH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        PgFrame f = (PgFrame) msg;
        if (handedOver != null) {
            handedOver.add(f); // decoded from the same read as the last authentication message
            return;
        }
        if (state == State.CHECKING) {
            whileChecking.add(f);
            return;
        }
        try {
            if (f.type() == PgFrame.STARTUP) {
                startupPacket(ctx, f);
            } else if (f.type() == 'p' && state == State.SASL_INITIAL) {
                saslInitial(ctx, f);
            } else if (f.type() == 'p' && state == State.SASL_FINAL) {
                saslFinal(ctx, f);
            } else if (f.type() == 'p' && state == State.PASSWORD) {
                password(ctx, f);
            } else if (f.type() == 'p' && state == State.MD5) {
                md5(ctx, f);
            } else if (f.type() == 'X') {
                ctx.close();
            } else {
                fatal(ctx, "08P01", "unexpected message type " + (char) f.type() + " during authentication");
            }
        } catch (PgFrame.MalformedMessageException e) {
            fatal(ctx, "08P01", e.getMessage());
        } catch (ScramServerExchange.ScramException e) {
            fatal(ctx, "08P01", e.getMessage());
        }
    }

    private void startupPacket(ChannelHandlerContext ctx, PgFrame f) {
        if (state != State.STARTUP) {
            fatal(ctx, "08P01", "unexpected startup packet");
            return;
        }
        int code = f.readInt();
        switch (code) {
            case PgFrameDecoder.SSL_REQUEST -> {
                boolean tls = services.sslContext() != null && ctx.pipeline().get(SslHandler.class) == null;
                ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte(tls ? 'S' : 'N'));
                if (tls) {
                    // the client starts the handshake only after reading 'S', which has been written above
                    ctx.pipeline().addFirst("tls", services.sslContext().newHandler(ctx.alloc()));
                }
            }
            case PgFrameDecoder.GSSENC_REQUEST -> ctx.writeAndFlush(ctx.alloc().buffer(1).writeByte('N'));
            case PgFrameDecoder.CANCEL_REQUEST -> {
                int pid = f.readInt();
                int key = f.readInt();
                services.sessions().registry().cancel(pid, key);
                ctx.close();
            }
            default -> {
                if (code >>> 16 != 3) {
                    fatal(ctx, "0A000", "unsupported frontend protocol " + (code >>> 16) + "." + (code & 0xffff)
                            + ": server supports 3.0");
                    return;
                }
                startup(ctx, f, code & 0xffff);
            }
        }
    }

    private void startup(ChannelHandlerContext ctx, PgFrame f, int minor) {
        Map<String, String> params = new LinkedHashMap<>();
        List<String> unknownOptions = new ArrayList<>();
        while (f.remaining() > 1) {
            String name = f.readCString();
            String value = f.readCString();
            if (name.startsWith("_pq_.")) {
                unknownOptions.add(name);
            } else {
                params.put(name, value);
            }
        }
        if (minor > 0 || !unknownOptions.isEmpty()) {
            ByteBuf b = ctx.alloc().buffer();
            BackendMessages.negotiateProtocolVersion(b, 0, unknownOptions);
            ctx.write(b);
        }
        userName = params.get("user");
        if (userName == null || userName.isEmpty()) {
            fatal(ctx, "28000", "no PostgreSQL user name specified in startup packet");
            return;
        }
        settings = new LinkedHashMap<>();
        String requestedPurpose = null;
        for (var e : params.entrySet()) {
            if (!NOT_SETTINGS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                settings.put(e.getKey(), e.getValue());
            }
        }
        if (params.containsKey("options")) {
            for (Map.Entry<String, String> o : parseOptions(params.get("options")).entrySet()) {
                if (o.getKey().equalsIgnoreCase("warden.purpose")) {
                    requestedPurpose = o.getValue();
                } else if (!o.getKey().toLowerCase(Locale.ROOT).startsWith("warden.")
                        && !NOT_SETTINGS.contains(o.getKey().toLowerCase(Locale.ROOT))) {
                    settings.put(o.getKey(), o.getValue());
                }
            }
        }
        if (settings.containsKey("warden.purpose")) {
            requestedPurpose = settings.remove("warden.purpose");
        }
        settings.keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).startsWith("warden."));
        InetAddress address = remote(ctx);
        if (services.sessions().registry().size() >= services.login().maxClients()) {
            fatal(ctx, "53300", "sorry, too many clients already");
            return;
        }
        if (!services.limiter().allows(address)) {
            fatal(ctx, "28000", "too many failed authentication attempts from this address; try again later");
            return;
        }
        user = services.login().users().get(userName);
        purpose = requestedPurpose;
        boolean secure = ctx.pipeline().get(SslHandler.class) != null;
        // an unknown user is asked for the default method, and fails at the end like a wrong password
        AuthMethod method = user == null ? services.login().defaultAuth() : user.auth();
        if (method == AuthMethod.PASSWORD) {
            if (!secure && !services.login().allowCleartextPassword()) {
                fatal(ctx, "28000", "password authentication requires an SSL connection");
                return;
            }
            state = State.PASSWORD;
            ByteBuf b = ctx.alloc().buffer();
            BackendMessages.authenticationCleartext(b);
            ctx.writeAndFlush(b);
            return;
        }
        if (method == AuthMethod.MD5) {
            if (!secure && !services.login().allowMd5WithoutTls()) {
                fatal(ctx, "28000", "md5 authentication requires an SSL connection");
                return;
            }
            state = State.MD5;
            md5Salt = new byte[4];
            SALT_RANDOM.nextBytes(md5Salt);
            ByteBuf b = ctx.alloc().buffer();
            BackendMessages.authenticationMd5(b, md5Salt);
            ctx.writeAndFlush(b);
            return;
        }
        scram = user == null ? ScramServerExchange.forUnknownUser(userName) : new ScramServerExchange(user.verifier());
        state = State.SASL_INITIAL;
        ByteBuf b = ctx.alloc().buffer();
        // SCRAM-SHA-256, preceded by its -PLUS variant over TLS when the certificate's hash is known
        BackendMessages.authenticationSasl(b, secure && services.channelBindingData() != null
                ? new String[] {ScramServerExchange.MECHANISM_PLUS, ScramVerifier.MECHANISM}
                : new String[] {ScramVerifier.MECHANISM});
        ctx.writeAndFlush(b);
    }

    /** {@code -c name=value} and {@code --name=value} items, with backslash escapes, as PostgreSQL reads them. */
    public static Map<String, String> parseOptions(String options) {
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean any = false;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '\\' && i + 1 < options.length()) {
                cur.append(options.charAt(++i));
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (any) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            tokens.add(cur.toString());
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String item = null;
            if (t.equals("-c") && i + 1 < tokens.size()) {
                item = tokens.get(++i);
            } else if (t.startsWith("-c")) {
                item = t.substring(2);
            } else if (t.startsWith("--")) {
                item = t.substring(2);
            }
            if (item != null && item.indexOf('=') > 0) {
                String name = item.substring(0, item.indexOf('=')).replace('-', '_');
                out.put(name, item.substring(item.indexOf('=') + 1));
            }
        }
        return out;
    }

    private void saslInitial(ChannelHandlerContext ctx, PgFrame f) throws ScramServerExchange.ScramException {
        String mechanism = f.readCString();
        if (!mechanism.equals(ScramVerifier.MECHANISM) && !mechanism.equals(ScramServerExchange.MECHANISM_PLUS)) {
            fatal(ctx, "28000", "client selected an invalid SASL authentication mechanism");
            return;
        }
        boolean secure = ctx.pipeline().get(SslHandler.class) != null;
        scram.channelBinding(secure ? services.channelBindingData() : null, mechanism);
        int len = f.readInt();
        byte[] data = f.readBytes(len);
        if (data == null) {
            throw new ScramServerExchange.ScramException("SCRAM client-first-message missing");
        }
        String serverFirst = scram.clientFirst(new String(data, StandardCharsets.UTF_8));
        state = State.SASL_FINAL;
        ByteBuf b = ctx.alloc().buffer();
        BackendMessages.authenticationSaslContinue(b, serverFirst);
        ctx.writeAndFlush(b);
    }

    private void saslFinal(ChannelHandlerContext ctx, PgFrame f) throws ScramServerExchange.ScramException {
        String serverFinal = scram.clientFinal(new String(f.readBytes(f.remaining()), StandardCharsets.UTF_8));
        if (serverFinal == null || user == null) {
            authFailed(ctx);
            return;
        }
        ByteBuf b = ctx.alloc().buffer();
        BackendMessages.authenticationSaslFinal(b, serverFinal);
        ctx.write(b);
        authenticated(ctx);
    }

    private void password(ChannelHandlerContext ctx, PgFrame f) {
        char[] pw = f.readCString().toCharArray();
        GatewayUser candidate = user;
        state = State.CHECKING;
        whileChecking = new ArrayList<>();
        ctx.channel().config().setAutoRead(false);
        // PBKDF2 with thousands of iterations: off the event loop, then back to it with the verdict
        services.sessions().workers().execute(() -> {
            boolean ok = candidate != null && candidate.matchesPassword(pw);
            java.util.Arrays.fill(pw, '\0');
            ctx.executor().execute(() -> {
                if (!ctx.channel().isActive()) {
                    return;
                }
                List<PgFrame> pipelined = whileChecking;
                whileChecking = null;
                if (!ok) {
                    authFailed(ctx);  // what came with a wrong password is never read
                    return;
                }
                authenticated(ctx);
                if (state != State.DONE) {
                    return;  // refused after all (a purpose the user may not declare)
                }
                if (handedOver != null) {
                    handedOver.addAll(pipelined);  // the session thread reads them first
                } else {
                    // this handler's context now leads to the session's handler, which replaced it
                    for (PgFrame p : pipelined) ctx.fireChannelRead(p);
                    if (!pipelined.isEmpty()) ctx.fireChannelReadComplete();
                    ctx.channel().config().setAutoRead(true);
                }
            });
        });
    }

    private void md5(ChannelHandlerContext ctx, PgFrame f) {
        String response = f.readCString();
        if (user == null || user.md5() == null || !user.md5().matchesChallenge(response, md5Salt)) {
            authFailed(ctx);
            return;
        }
        authenticated(ctx);
    }

    private void authFailed(ChannelHandlerContext ctx) {
        services.limiter().failed(remote(ctx));
        fatal(ctx, "28P01", "password authentication failed for user \"" + userName + "\"");
    }

    private void authenticated(ChannelHandlerContext ctx) {
        services.limiter().succeeded(remote(ctx));
        String effectivePurpose = purpose == null ? user.purpose() : purpose;
        if (!user.mayDeclare(purpose)) {
            fatal(ctx, "42501", "user \"" + userName + "\" may not declare purpose \"" + purpose + "\"");
            return;
        }
        state = State.DONE;
        if (timeout != null) {
            timeout.cancel(false);
        }
        ctx.flush();
        Channel channel = ctx.channel();
        if (services.launcher().servesOnOwnThread(channel)) {
            handOver(ctx, effectivePurpose);
            return;
        }
        NettyClientOutput output = new NettyClientOutput(channel);
        QueuedCopyInput copyInput = new QueuedCopyInput(channel);
        GatewaySession session = services.launcher().newSession(channel, output, copyInput, user, effectivePurpose,
                settings);
        // answers to what the client sent before it half-closed still go out (see SessionHandler#inputEnded)
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ctx.pipeline().replace(this, "session", new SessionHandler(session, output, copyInput));
        session.executor.execute(session::start);
    }

    /**
     * Takes the authenticated connection off the event loop for a session on its own thread: no more reads
     * here; what was received but not handled goes with it (frames decoded, bytes not yet decoded, and over TLS
     * the engine with the bytes it has not decrypted yet); and only once everything written so far has reached
     * the socket and the channel has left its event loop does the session start writing itself.
     */
    private void handOver(ChannelHandlerContext ctx, String effectivePurpose) {
        var channel = (HandoverServerSocketChannel.Child) ctx.channel();
        channel.config().setAutoRead(false);
        handedOver = new ArrayList<>();
        List<PgFrame> decoded = handedOver;
        GatewayUser authenticatedUser = user;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (!written.isSuccess()) {
                channel.close();
                return;
            }
            // after the read that brought the last authentication message, which over TLS may still be
            // decrypting records that came with it
            ctx.executor().execute(() -> {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                EncryptedLeftover leftover = ssl == null ? null : new EncryptedLeftover();
                if (ssl != null) {
                    // removing the SslHandler hands what it holds undecrypted to the next handler: keep that
                    ctx.pipeline().addAfter(ctx.pipeline().context(ssl).name(), "tls-leftover", leftover);
                    ctx.pipeline().remove(ssl);
                }
                channel.deregister().addListener(off -> {
                    if (!off.isSuccess()) {
                        channel.close();
                        return;
                    }
                    byte[] undecoded = ctx.pipeline().get(PgFrameDecoder.class).takeUndecoded();
                    ClientTls tls = ssl == null ? null : new ClientTls(ssl.engine(), leftover.bytes());
                    services.launcher().serveOnOwnThread(channel, tls, decoded, undecoded, authenticatedUser,
                            effectivePurpose, settings);
                });
            });
        });
    }

    /** Keeps the bytes a removed SslHandler had received and not decrypted, for the session's own TLS. */
    private static final class EncryptedLeftover extends ChannelInboundHandlerAdapter {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                b.readBytes(bytes, b.readableBytes());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e); // not from a ByteArrayOutputStream
            } finally {
                b.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // nothing was decoded above
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // the SslHandler's farewell on removal: the engine lives on in the session
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }

    private static InetAddress remote(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a) {
            return a.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }

    /** Ends the startup with a FATAL error: the login is refused, and the trail says so. */
    private void fatal(ChannelHandlerContext ctx, String sqlState, String message) {
        refusedLogin(ctx, sqlState, message);
        state = State.DONE;
        ByteBuf b = ctx.alloc().buffer();
        BackendMessages.errorOrNotice(b, 'E', ErrorFields.fatal(sqlState, message));
        ctx.writeAndFlush(b).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    private void refusedLogin(ChannelHandlerContext ctx, String sqlState, String message) {
        String application = settings == null ? null : settings.get("application_name");
        services.refusedLogins().refused(userName, user == null ? null : user.role(), application,
                ctx.channel().remoteAddress(), message, sqlState);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && !(cause.getCause() instanceof javax.net.ssl.SSLException)
                && ctx.channel().isActive()) {
            fatal(ctx, "08P01", "invalid startup packet: " + cause.getMessage());
        } else {
            ctx.close();
        }
    }
}

package dev.warden.gateway.transport;

import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.session.CopyRelay;
import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Map;

/**
 * Where {@link AuthenticationHandler} hands an authenticated client: either to a session served on the event
 * loop, or, when sessions are served on their own threads, off the event loop to a thread of its own. Called on the client's event loop. Implementations are thread-safe.
 */
public interface SessionLauncher {

    /** True when this authenticated client is to be served on its own thread rather than the event loop. */
    boolean servesOnOwnThread(Channel channel);

    /** A registered session whose I/O stays on the event loop; the caller starts it. */
    GatewaySession newSession(Channel channel, ClientOutput out, CopyRelay.CopyInput copyInput, GatewayUser user,
                              String purpose, Map<String, String> settings);

    /**
     * Starts serving a session on its own thread, over a channel already taken off its event loop.
     *
     * @param tls the connection's TLS, taken over from the event loop; null for plain text
     * @param decoded frames decoded on the event loop and not yet handled
     * @param undecoded (decrypted) bytes received on the event loop after them
     */
    void serveOnOwnThread(HandoverServerSocketChannel.Child channel, ClientTls tls, List<PgFrame> decoded,
                          byte[] undecoded, GatewayUser user, String purpose, Map<String, String> settings);
}

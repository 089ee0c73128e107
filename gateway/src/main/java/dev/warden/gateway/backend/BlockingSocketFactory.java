package dev.warden.gateway.backend;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import javax.net.SocketFactory;

/**
 * The sockets of the gateway's backend connections (pgjdbc's {@code socketFactory}): sockets of blocking
 * {@link SocketChannel}s, on which a read without a timeout is one blocking {@code read} system call.
 *
 * <p>Why: the JDK's default socket ({@code NioSocketImpl}) turns its descriptor non-blocking for good at the first
 * read with a timeout, and HikariCP's and pgjdbc's validity checks read with one when a connection is made; every
 * later read then costs a failed {@code read} (EAGAIN), a {@code poll} and the {@code read} again: about 1.7
 * system calls more per backend round trip, measured under pgbench. A channel's socket goes back to blocking
 * mode after a timed read. Behaviour is otherwise the JDK's (connect timeout, socket options, close waking a
 * blocked reader). Thread-safe; stateless.
 */
public final class BlockingSocketFactory extends SocketFactory {

    /** pgjdbc instantiates the factory by class name, through this constructor. */
    public BlockingSocketFactory() {
    }

    @Override
    public Socket createSocket() throws IOException {
        return SocketChannel.open().socket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private static Socket connected(InetSocketAddress remote) throws IOException {
        return connected(remote, null);
    }

    private static Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = SocketChannel.open().socket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}

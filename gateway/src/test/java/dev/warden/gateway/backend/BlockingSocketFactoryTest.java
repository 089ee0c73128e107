package dev.warden.gateway.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The backend sockets behave as pgjdbc needs them to: connect with a timeout, read with and without one (a timed
 * read that expires leaves the socket usable for untimed, blocking reads), write, and close waking a blocked reader.
 */
class BlockingSocketFactoryTest {

    @Test
    void readsWithAndWithoutTimeoutAndCloseWakesABlockedReader() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new BlockingSocketFactory().createSocket()) {
            assertNotNull(client.getChannel(), "a channel's socket: untimed reads are one blocking read");
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
            client.setTcpNoDelay(true);
            try (Socket peer = server.accept()) {
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                out.flush();
                byte[] got = peer.getInputStream().readNBytes(3);
                assertArrayEquals(new byte[] {1, 2, 3}, got);

                // a timed read, as pgjdbc's and HikariCP's validity checks do it
                client.setSoTimeout(50);
                assertThrows(SocketTimeoutException.class, in::read);
                client.setSoTimeout(0);

                // then an untimed one waits as long as it takes
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.read();
                    } catch (java.io.IOException e) {
                        return -2;
                    }
                });
                Thread.sleep(100);
                assertTrue(!read.isDone(), "an untimed read blocks until data comes");
                peer.getOutputStream().write(42);
                assertEquals(42, read.get(5, TimeUnit.SECONDS));

                CompletableFuture<Integer> blocked = CompletableFuture.supplyAsync(() -> {
                    try {
                        return in.read();
                    } catch (java.io.IOException e) {
                        return -2;
                    }
                });
                Thread.sleep(100);
                client.close();
                assertEquals(-2, blocked.get(5, TimeUnit.SECONDS), "closing the socket ends a blocked read");
            }
        }
    }

    @Test
    void connectsByAddress() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new BlockingSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                     server.getLocalPort());
             Socket peer = server.accept()) {
            assertTrue(client.isConnected());
            peer.getOutputStream().write(7);
            assertEquals(7, client.getInputStream().read());
        }
    }
}

package dev.warden.gateway.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.warden.gateway.wire.PgFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The session thread's reads of a plain-text client over a real loopback connection: whether the client waits
 * for each reply (the session then waits for input before reading) or sends ahead (read at once), no message is
 * lost, delayed past its arrival or read twice, and the end of the stream is reported.
 */
class ClientSocketTest {

    private ServerSocketChannel server;
    private SocketChannel client;
    private ClientSocket socket;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = SocketChannel.open(server.getLocalAddress());
        socket = new ClientSocket(server.accept(), List.of(), new byte[0], 64 * 1024);
    }

    @AfterEach
    void close() throws IOException {
        socket.close();
        client.close();
        server.close();
    }

    @Test
    void aClientThatWaitsForEachReplyAndOneThatSendsAheadAreBothReadInOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            // request, reply, request...: after the first read finds nothing, the session waits before reading
            for (int i = 0; i < 5; i++) {
                String q = "select " + i;
                CompletableFuture.runAsync(() -> send(query(q)),
                        CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
                assertEquals(List.of(q), texts(socket.readFrames()));
            }
            // then the client sends ahead: already there, read at once
            send(query("a"), query("b"));
            Thread.sleep(30);
            assertEquals(List.of("a", "b"), texts(socket.readFrames()));
            // a frame split across two writes, the second one late
            ByteBuffer c = query("split");
            ByteBuffer head = c.duplicate().limit(3);
            ByteBuffer tail = c.duplicate().position(3);
            send(head);
            CompletableFuture.runAsync(() -> send(tail), CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
            assertEquals(List.of("split"), texts(socket.readFrames()));
            // and back to waiting for a late request
            CompletableFuture.runAsync(() -> send(query("late")),
                    CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS));
            assertEquals(List.of("late"), texts(socket.readFrames()));
            client.close();
            assertNull(socket.readFrames());
        });
    }

    private static ByteBuffer query(String sql) {
        byte[] text = (sql + "\0").getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + text.length).put((byte) 'Q').putInt(4 + text.length).put(text).flip();
    }

    private void send(ByteBuffer... buffers) {
        try {
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    client.write(b);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> texts(List<PgFrame> frames) {
        return frames.stream().map(PgFrame::readCString).toList();
    }
}

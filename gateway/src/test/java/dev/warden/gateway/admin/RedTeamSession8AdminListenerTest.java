package dev.warden.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: the admin listener serves every request on one thread. A local client that opens a
 * connection and sends its request slowly (or never finishes it) must not keep {@code /health} from answering:
 * an orchestrator would take a healthy gateway for a dead one.
 */
class RedTeamSession8AdminListenerTest {

    @Test
    void aClientThatNeverFinishesItsRequestDoesNotStopHealthFromAnswering() throws Exception {
        try (AdminListener listener = AdminListener.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                () -> "# nothing\n", List.of())) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), listener.port());
                    OutputStream out = s.getOutputStream();
                    out.write("GET /hea".getBytes(StandardCharsets.US_ASCII));  // and nothing more
                    out.flush();
                    slow.add(s);
                }
                Thread.sleep(200);
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + listener.port() + "/health"))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
                // headers without end: refused at their bound, and health still answers
                try (Socket huge = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
                    OutputStream out = huge.getOutputStream();
                    out.write(("GET /health HTTP/1.1\r\nX-A: " + "a".repeat(64 * 1024) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    huge.setSoTimeout(5000);
                    String answer = new String(huge.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertEquals("HTTP/1.1 4", answer.substring(0, 10), answer);
                } catch (java.net.SocketException closed) {
                    // dropped without an answer: as good
                }
                assertEquals(200, client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + listener.port() + "/health"))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            } finally {
                for (Socket s : slow) s.close();
            }
        }
    }
}

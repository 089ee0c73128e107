package dev.warden.gateway.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The gateway's admin HTTP listener: {@code GET /metrics} answers {@code metrics.get()} as Prometheus text
 * (format 0.0.4), {@code GET /health} runs every {@link HealthProbe} and answers with the worst finding:
 * 200 with {@code {"status":"up","checks":{...}}} when all pass, 200 with {@code "status":"degraded"} when the
 * gateway serves correctly but a check needs an operator, 503 with {@code "status":"down"} when it cannot serve;
 * each check that did not pass gives its reason. Other paths get 404, other methods 405. One daemon thread serves every request, so a slow
 * probe or a scrape never takes a session's thread or an event loop. Thread-safe; {@link #close} stops it.
 */
public final class AdminListener implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService thread;

    private AdminListener(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @throws IOException when the address cannot be bound (taken, not an address of this host)
     */
    public static AdminListener start(InetSocketAddress address, Supplier<String> metrics, List<HealthProbe> probes)
            throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "warden-admin");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, metrics, probes);
            }
        });
        server.start();
        return new AdminListener(server, thread);
    }

    private static void serve(HttpExchange exchange, Supplier<String> metrics, List<HealthProbe> probes)
            throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (!path.equals("/metrics") && !path.equals("/health")) {
            respond(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics or /health\n");
            return;
        }
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
            return;
        }
        if (path.equals("/metrics")) {
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            return;
        }
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
        respond(exchange, worst == HealthProbe.Status.DOWN ? 503 : 200, "application/json",
                "{\"status\":" + quote(worst.name().toLowerCase(java.util.Locale.ROOT)) + ",\"checks\":{" + checks
                        + "}}\n");
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
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
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}

package dev.warden.gateway;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay between the gateway and its backend PostgreSQL that records the SQL text of every simple query
 * and every execution (Bind) of an extended-protocol statement the gateway's backend connections send: what the database was asked to run, whatever the JDBC driver
 * does underneath. The backend URL must disable TLS ({@code sslmode=disable}) so that the messages can be read.
 * Thread-safe; closing stops accepting (relayed connections end with their peers).
 */
final class BackendStatementRecorder implements AutoCloseable {

    private final ServerSocket listener;
    private final String host;
    private final int port;
    private final List<String> statements = new ArrayList<>();
    private final StringBuilder wire = new StringBuilder();  // every frontend message's body, parameter values included

    BackendStatementRecorder(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread acceptor = new Thread(this::accept, "backend-recorder");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code backendUrl} (jdbc:postgresql://host:port/db...) through this relay, without TLS. */
    static String through(String backendUrl, BackendStatementRecorder recorder) {
        String rest = backendUrl.substring(backendUrl.indexOf('/', "jdbc:postgresql://".length()));
        return "jdbc:postgresql://127.0.0.1:" + recorder.listener.getLocalPort() + rest
                + (rest.contains("?") ? "&" : "?") + "sslmode=disable";
    }

    /** The statements recorded since the last call, in order, and forgets them. */
    synchronized List<String> take() {
        List<String> out = List.copyOf(statements);
        statements.clear();
        return out;
    }

    /**
     * Every message body the gateway's backend connections sent since the last call (SQL text and Bind parameter
     * values alike, read as UTF-8), to look for a value that must never reach the database; forgets them.
     */
    synchronized String takeWire() {
        String out = wire.toString();
        wire.setLength(0);
        return out;
    }

    private synchronized void wire(byte[] body) {
        wire.append(new String(body, StandardCharsets.UTF_8)).append('\n');
    }

    private synchronized void record(String sql) {
        statements.add(sql);
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(host, port);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                daemon(() -> readFrontend(client, server));
                daemon(() -> pump(server.getInputStream(), client.getOutputStream()));
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private static void daemon(IoTask task) {
        Thread t = new Thread(() -> {
            try {
                task.run();
            } catch (IOException ignored) {
                // a peer closed the connection
            }
        }, "backend-recorder-relay");
        t.setDaemon(true);
        t.start();
    }

    private interface IoTask {
        void run() throws IOException;
    }

    private static void pump(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            out.flush();
        }
        out.close();
    }

    /** Relays the frontend's messages, reading each: untyped ones up to the StartupMessage, then typed ones. */
    private void readFrontend(Socket client, Socket server) throws IOException {
        DataInputStream in = new DataInputStream(client.getInputStream());
        java.util.Map<String, String> parsed = new java.util.HashMap<>();  // statement name -> SQL text
        OutputStream out = server.getOutputStream();
        try {
            boolean started = false;
            while (true) {
                byte type = 0;
                if (started) {
                    type = in.readByte();
                }
                int length = in.readInt();
                byte[] body = new byte[length - 4];
                in.readFully(body);
                if (!started) {
                    int code = ((body[0] & 0xff) << 24) | ((body[1] & 0xff) << 16) | ((body[2] & 0xff) << 8) | (body[3] & 0xff);
                    started = code != 80877103 && code != 80877104;  // SSLRequest and GSSENCRequest come before it
                    out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                } else {
                    if (type == 'Q') {
                        record(cstring(body, 0));
                    } else if (type == 'P') {
                        parsed.put(cstring(body, 0), cstring(body, indexOfZero(body, 0) + 1));
                    } else if (type == 'B') {
                        // each execution binds its statement once; a statement the driver prepared on the server
                        // (as pgjdbc does with BEGIN and COMMIT after a few uses) is bound without a new Parse
                        record(parsed.getOrDefault(cstring(body, indexOfZero(body, 0) + 1), "?"));
                    }
                    wire(body);
                    out.write(type);
                    out.write(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
                }
                out.write(body);
                out.flush();
            }
        } catch (EOFException e) {
            server.close();
        }
    }

    private static int indexOfZero(byte[] b, int from) {
        int i = from;
        while (b[i] != 0) {
            i++;
        }
        return i;
    }

    private static String cstring(byte[] b, int from) {
        return new String(b, from, indexOfZero(b, from) - from, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}

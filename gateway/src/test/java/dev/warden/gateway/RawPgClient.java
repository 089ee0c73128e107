package dev.warden.gateway;

import dev.warden.gateway.auth.ScramVerifier;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A minimal protocol-v3 client for tests that need to send exactly chosen (or broken) bytes: SCRAM login
 * and raw message I/O. Not thread-safe.
 */
final class RawPgClient implements AutoCloseable {

    record Message(char type, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    /** The database named in the startup message (the gateway ignores it). */
    private final String database;

    RawPgClient(int port) throws IOException {
        this(port, "app");
    }

    RawPgClient(int port, String database) throws IOException {
        this(new Socket("127.0.0.1", port), database);
    }

    private RawPgClient(Socket socket, String database) throws IOException {
        this.database = database;
        this.socket = socket;
        socket.setSoTimeout(20_000);
        in = new DataInputStream(socket.getInputStream());
        out = new DataOutputStream(socket.getOutputStream());
    }

    /**
     * A client over TLS (SSLRequest, then a handshake that trusts any certificate) with only {@code protocol}
     * enabled; {@link #socket} is the {@link javax.net.ssl.SSLSocket}.
     */
    static RawPgClient tls(int port, String protocol) throws Exception {
        return tls(new Socket("127.0.0.1", port), port, protocol);
    }

    /** {@link #tls(int, String)} over {@code plain}, which the caller keeps to send bytes around TLS. */
    static RawPgClient tls(Socket plain, int port, String protocol) throws Exception {
        var o = new DataOutputStream(plain.getOutputStream());
        o.writeInt(8);
        o.writeInt(80877103);
        o.flush();
        int answer = plain.getInputStream().read();
        if (answer != 'S') {
            plain.close();
            throw new IOException("SSLRequest answered " + answer);
        }
        javax.net.ssl.TrustManager trustAll = new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
        var context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {trustAll}, null);
        var ssl = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        ssl.setEnabledProtocols(new String[] {protocol});
        ssl.setUseClientMode(true);
        ssl.startHandshake();
        return new RawPgClient(ssl, "app");
    }

    /** Sends a protocol 3.0 StartupMessage for {@code user}. */
    void startup(String user) throws IOException {
        byte[] params = ("user\0" + user + "\0database\0" + database + "\0\0").getBytes(StandardCharsets.UTF_8);
        out.writeInt(8 + params.length);
        out.writeInt(196608);
        out.write(params);
        out.flush();
    }

    /** Logs in with SCRAM-SHA-256; returns after the first ReadyForQuery. */
    RawPgClient login(String user, String password) throws IOException {
        startup(user);
        Message m = read();
        if (m.type() == 'E') {
            throw new IOException("login refused: " + m.text());
        }
        expect(m, 'R');
        if (java.nio.ByteBuffer.wrap(m.body()).getInt() == 0) {
            // AuthenticationOk at once: a server that trusts this client (the embedded PostgreSQL itself)
            while ((m = read()).type() != 'Z') {
                if (m.type() == 'E') {
                    throw new IOException("login failed: " + m.text());
                }
            }
            return this;
        }
        byte[] nonceBytes = new byte[18];
        new SecureRandom().nextBytes(nonceBytes);
        String clientNonce = Base64.getEncoder().encodeToString(nonceBytes);
        String clientFirstBare = "n=,r=" + clientNonce;
        byte[] first = ("n,," + clientFirstBare).getBytes(StandardCharsets.UTF_8);
        byte[] mech = "SCRAM-SHA-256\0".getBytes(StandardCharsets.UTF_8);
        send('p', concat(mech, intBytes(first.length), first));
        m = read();
        expect(m, 'R');
        String serverFirst = new String(m.body(), 4, m.body().length - 4, StandardCharsets.UTF_8);
        String nonce = null;
        byte[] salt = null;
        int iterations = 0;
        for (String a : serverFirst.split(",")) {
            if (a.startsWith("r=")) {
                nonce = a.substring(2);
            } else if (a.startsWith("s=")) {
                salt = Base64.getDecoder().decode(a.substring(2));
            } else if (a.startsWith("i=")) {
                iterations = Integer.parseInt(a.substring(2));
            }
        }
        String withoutProof = "c=biws,r=" + nonce;
        byte[] salted = ScramVerifier.saltedPassword(password.toCharArray(), salt, iterations);
        byte[] clientKey = ScramVerifier.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramVerifier.sha256(clientKey);
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] signature = ScramVerifier.hmac(storedKey, authMessage);
        byte[] proof = new byte[32];
        for (int i = 0; i < 32; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        send('p', (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8));
        while ((m = read()).type() != 'Z') {
            if (m.type() == 'E') {
                throw new IOException("login failed: " + m.text());
            }
            if (m.type() == 'K') {
                java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(m.body());
                backendPid = key.getInt();
                backendSecret = key.getInt();
            }
        }
        return this;
    }

    static void expect(Message m, char type) throws IOException {
        if (m.type() != type) {
            throw new IOException("expected " + type + " but got " + m.type() + ": " + m.text());
        }
    }

    void send(char type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
        out.flush();
    }

    void query(String sql) throws IOException {
        send('Q', (sql + "\0").getBytes(StandardCharsets.UTF_8));
    }

    Message read() throws IOException {
        char type = (char) in.readUnsignedByte();
        int len = in.readInt();
        byte[] body = new byte[len - 4];
        in.readFully(body);
        return new Message(type, body);
    }

    /** Reads messages up to and including ReadyForQuery; returns their types, e.g. "TDDCZ". */
    String readUntilReady() throws IOException {
        StringBuilder types = new StringBuilder();
        Message m;
        do {
            m = read();
            types.append(m.type());
        } while (m.type() != 'Z');
        lastStatus = (char) m.body()[0];
        return types.toString();
    }

    /** BackendKeyData of a SCRAM login, for a CancelRequest. */
    int backendPid, backendSecret;

    /** Transaction status of the last ReadyForQuery read by {@link #readUntilReady()}. */
    char lastStatus;

    static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.warden.gateway.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS on a client connection served by its session's own thread ({@link ClientSocket}): the {@link SSLEngine}
 * that Netty's SslHandler negotiated on the event loop, now driven by the session thread, which decrypts what
 * it reads and encrypts what it writes itself. A request then costs no hand-off between threads, as for a
 * plain-text session (through the event loop: two per request, plus the SslHandler's own buffers).
 *
 * <p>One reply buffer becomes one TLS record (up to 16 KiB) and one socket write. After the handshake, the
 * engine may still ask to send something of its own (a TLS 1.3 KeyUpdate answer): that is written as it comes.
 * A new handshake (TLS 1.2 renegotiation) is refused by closing the connection, as PostgreSQL refuses it.
 *
 * <p>Threads: {@link #read} and {@link #write} belong to the session thread ({@link ClientSocket} calls read
 * under its input lock); {@link #readAhead} is the liveness probe's, also under the input lock, and only moves
 * encrypted bytes into {@link #netIn}; {@link #closeOutbound} is guarded by the write lock of the socket.
 */
public final class ClientTls {

    /** What ClientSocket lends for writing: waiting until the socket can take more. */
    interface WriteWait {
        void awaitWritable() throws IOException;
    }

    private final SSLEngine engine;
    private final boolean tls13;
    /** Received, not yet decrypted bytes (write mode: between 0 and position). */
    private ByteBuffer netIn;
    /** Encrypted, not yet written bytes (read mode: between position and limit). */
    private final ByteBuffer netOut;
    /** Decrypted bytes that did not fit the reader's buffer (read mode), or null. */
    private ByteBuffer plainLeft;

    /**
     * @param engine an engine whose handshake is complete
     * @param received bytes the event loop received after the handshake and did not decrypt
     */
    ClientTls(SSLEngine engine, byte[] received) {
        this.engine = engine;
        this.tls13 = "TLSv1.3".equals(engine.getSession().getProtocol());
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(Math.max(packet, received.length));
        netIn.put(received);
        this.netOut = ByteBuffer.allocate(packet);
        netOut.flip();
    }

    /**
     * Decrypts into {@code room} what has been received, reading the socket when that is not a whole record:
     * the number of bytes put into room (at least one), 0 when the socket has nothing more for now, -1 once the
     * client has closed (close_notify or end of stream).
     */
    int read(SocketChannel channel, ByteBuffer room, WriteWait wait) throws IOException {
        if (plainLeft != null) {
            return drainPlainLeft(room);
        }
        while (true) {
            if (netIn.position() > 0) {
                SSLEngineResult r = unwrapInto(room);
                switch (r.getStatus()) {
                    case OK -> {
                        afterUnwrap(channel, r, wait);
                        if (r.bytesProduced() > 0) {
                            return r.bytesProduced();
                        }
                        continue; // a record of the protocol's own (a ticket, a key update): look for the next
                    }
                    case BUFFER_OVERFLOW -> {
                        // the engine judges by the record's header, before the whole record has arrived
                        int aside = unwrapAside(channel, wait);
                        if (aside > 0) {
                            return drainPlainLeft(room);
                        }
                        if (aside == 0) {
                            continue;
                        }
                        makeRoomForRecord();
                    }
                    case CLOSED -> {
                        return -1;
                    }
                    case BUFFER_UNDERFLOW -> makeRoomForRecord();
                }
            }
            int n = channel.read(netIn);
            if (n <= 0) {
                return n;
            }
        }
    }

    /**
     * True when bytes already taken off the socket (decrypted or not) wait here: a reader must decrypt them
     * before it waits on the socket, which would not report them.
     */
    boolean holdsInput() {
        return plainLeft != null || netIn.position() > 0;
    }

    /** Decrypts what {@code netIn} holds into {@code out}; {@code netIn} stays ready for more bytes from the socket. */
    private SSLEngineResult unwrapInto(ByteBuffer out) throws IOException {
        netIn.flip();
        try {
            return engine.unwrap(netIn, out);
        } finally {
            netIn.compact();
        }
    }

    /** Before reading more of a record that is not whole yet: a record larger than the buffer gets room. */
    private void makeRoomForRecord() {
        if (!netIn.hasRemaining()) {
            int size = Math.max(netIn.capacity() * 2, engine.getSession().getPacketBufferSize());
            netIn = ByteBuffer.allocate(size).put(netIn.flip());
        }
    }

    /**
     * Decrypts one record into a buffer of its own, for a reader whose buffer has too little room left: the
     * bytes decrypted, or -1 when the record has not all arrived.
     */
    private int unwrapAside(SocketChannel channel, WriteWait wait) throws IOException {
        ByteBuffer aside = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        SSLEngineResult r = unwrapInto(aside);
        switch (r.getStatus()) {
            case OK -> {
                afterUnwrap(channel, r, wait);
                if (r.bytesProduced() > 0) {
                    plainLeft = aside.flip();
                }
                return r.bytesProduced();
            }
            case BUFFER_UNDERFLOW -> {
                return -1;
            }
            case CLOSED -> throw new ClosedChannelException();
            default -> throw new SSLException("cannot decrypt a TLS record: " + r.getStatus());
        }
    }

    private int drainPlainLeft(ByteBuffer room) {
        int n = Math.min(room.remaining(), plainLeft.remaining());
        int limit = plainLeft.limit();
        plainLeft.limit(plainLeft.position() + n);
        room.put(plainLeft);
        plainLeft.limit(limit);
        if (!plainLeft.hasRemaining()) {
            plainLeft = null;
        }
        return n;
    }

    /** Whatever the engine needs after a record was read: its tasks run, its own reply sent; no new handshake. */
    private void afterUnwrap(SocketChannel channel, SSLEngineResult r, WriteWait wait) throws IOException {
        SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
        while (true) {
            switch (hs) {
                case NOT_HANDSHAKING, FINISHED -> {
                    return;
                }
                case NEED_TASK -> {
                    refuseHandshake();
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                case NEED_WRAP -> {
                    refuseHandshake();
                    write(channel, ByteBuffer.allocate(0), wait);
                    return;
                }
                default -> { // NEED_UNWRAP, NEED_UNWRAP_AGAIN: the rest comes with the next records
                    refuseHandshake();
                    return;
                }
            }
        }
    }

    /** After the handshake only TLS 1.3's post-handshake messages are taken; TLS 1.2 would renegotiate. */
    private void refuseHandshake() throws SSLException {
        if (!tls13) {
            throw new SSLException("TLS renegotiation is not supported");
        }
    }

    /**
     * From the liveness probe: moves what the client has sent into the receive buffer, undecrypted. True once
     * the client has closed the connection; nothing is read while the buffer is full.
     */
    boolean readAhead(SocketChannel channel) throws IOException {
        return netIn.hasRemaining() && channel.read(netIn) < 0;
    }

    /**
     * Encrypts and writes all of {@code src} (and whatever the engine has to send of its own), waiting while
     * the client's receive window is full.
     */
    void write(SocketChannel channel, ByteBuffer src, WriteWait wait) throws IOException {
        do {
            if (!netOut.hasRemaining()) {
                netOut.clear();
                SSLEngineResult r;
                try {
                    r = engine.wrap(src, netOut);
                } finally {
                    netOut.flip();
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new ClosedChannelException();
                }
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    throw new SSLException("cannot encrypt a TLS record: " + r.getStatus());
                }
                SSLEngineResult.HandshakeStatus hs = r.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    refuseHandshake();
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run();
                    }
                    hs = engine.getHandshakeStatus();
                }
                if (r.bytesProduced() == 0 && r.bytesConsumed() == 0
                        && hs != SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    if (src.hasRemaining()) {
                        throw new SSLException("TLS engine makes no progress (" + hs + ")");
                    }
                    return;
                }
            }
            while (netOut.hasRemaining()) {
                if (channel.write(netOut) == 0) {
                    wait.awaitWritable();
                }
            }
        } while (src.hasRemaining() || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
    }

    /**
     * Sends close_notify if the socket takes it at once (a client waiting for the end of the session reads it
     * as PostgreSQL's goodbye); never blocks. The caller holds the socket's write lock.
     */
    void closeOutbound(SocketChannel channel) {
        try {
            engine.closeOutbound();
            if (netOut.hasRemaining()) {
                return; // a write was cut short: the record it was sending cannot be followed mid-way
            }
            netOut.clear();
            try {
                engine.wrap(ByteBuffer.allocate(0), netOut);
            } finally {
                netOut.flip();
            }
            channel.write(netOut);
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }
}

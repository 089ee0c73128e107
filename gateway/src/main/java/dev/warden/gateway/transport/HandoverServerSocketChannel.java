package dev.warden.gateway.transport;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.internal.SocketUtils;
import java.util.List;

/**
 * A NIO listener whose accepted channels can leave the event loop after authentication: each child keeps a
 * handle on its {@link java.nio.channels.SocketChannel}, which a session then serves on its own thread
 * ({@link ClientSocket}). java.nio's channel is safe to read, write and close from any thread.
 */
public final class HandoverServerSocketChannel extends NioServerSocketChannel {

    public HandoverServerSocketChannel() {
        super();
    }

    /** An accepted client connection whose socket the gateway can take over from Netty. */
    public static final class Child extends NioSocketChannel {
        private final java.nio.channels.SocketChannel socket;

        public Child(Channel parent, java.nio.channels.SocketChannel socket) {
            super(parent, socket);
            this.socket = socket;
        }

        public java.nio.channels.SocketChannel socket() {
            return socket;
        }
    }

    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        java.nio.channels.SocketChannel socket = SocketUtils.accept(javaChannel());
        if (socket == null) {
            return 0;
        }
        try {
            buf.add(new Child(this, socket));
            return 1;
        } catch (RuntimeException e) {
            socket.close();
            return 0;
        }
    }
}

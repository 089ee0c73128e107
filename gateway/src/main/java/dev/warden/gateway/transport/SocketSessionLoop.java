package dev.warden.gateway.transport;

import dev.warden.gateway.session.GatewaySession;
import dev.warden.gateway.wire.BackendMessages;
import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.ErrorFields;
import dev.warden.gateway.wire.PgFrame;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.List;

/**
 * Serves one session (plain text or TLS) on one thread, off the event loop: reads the frames that arrived together,
 * handles them, writes the replies, and waits on the socket for the next ones. Ends when the client closes
 * or Terminates, or the session closes the connection, and always releases the backend connection.
 */
public final class SocketSessionLoop implements Runnable {

    private final GatewaySession session;
    private final ClientSocket socket;

    public SocketSessionLoop(GatewaySession session, ClientSocket socket) {
        this.session = session;
        this.socket = socket;
    }

    @Override
    public void run() {
        try {
            session.start();
            // an idle session that listens waits on its backend connection a slice at a time (a notification
            // ends the wait at once) and looks at its client without waiting in between; any other waits for
            // its client as long as it takes
            while (!session.isClosed()) {
                List<PgFrame> frames;
                if (session.awaitsNotifications()) {
                    frames = socket.readFrames(-1);
                    if (frames != null && frames.isEmpty()) {
                        if (!session.awaitNotifications()) {
                            // the client is not reading: wait for it instead, a slice at most
                            frames = socket.readFrames(GatewaySession.MAX_WAIT_SLICE_MILLIS);
                        }
                        if (frames != null && frames.isEmpty()) {
                            continue;
                        }
                    }
                } else {
                    frames = socket.readFrames();
                }
                if (frames == null) {
                    break;
                }
                if (frames.size() == 1) {
                    session.handle(frames.get(0));
                } else {
                    session.handleAll(frames);
                }
            }
        } catch (ProtocolException e) {
            var out = session.output();
            BackendMessages.errorOrNotice(out.buf(), 'E', ErrorFields.fatal("08P01",
                    "invalid frontend message: " + e.getMessage()));
            out.flush();
        } catch (IOException | ClientOutput.ClientGoneException e) {
            // the client went away; nothing left to tell it
        } finally {
            session.clientGone();
            session.close();
            socket.close();
        }
    }
}

package dev.warden.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802/7677, as PostgreSQL runs it inside SASL messages):
 * {@link #clientFirst} answers the client-first-message with the server-first-message, {@link #clientFinal}
 * checks the proof and returns the server-final-message, or null when the proof is wrong. Over TLS the
 * gateway also offers SCRAM-SHA-256-PLUS with {@code tls-server-end-point} channel binding (RFC 5929): the
 * client then proves it talks to the holder of the gateway's certificate, not to a relay. Not thread-safe:
 * one per connection.
 *
 * <p>For an unknown user the exchange runs against a made-up verifier (salt derived from the user name and
 * a per-process secret) and always fails at the end, so that a client cannot probe which users exist.
 */
public final class ScramServerExchange {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] MOCK_SECRET = new byte[32];

    static {
        RANDOM.nextBytes(MOCK_SECRET);
    }

    public static final String MECHANISM_PLUS = "SCRAM-SHA-256-PLUS";
    private static final String CHANNEL_BINDING = "tls-server-end-point";

    private final ScramVerifier verifier;
    private final boolean mock;
    /** The certificate hash when channel binding is offered (TLS), else null. */
    private byte[] channelBindingData;
    private boolean plus;
    private String clientFirstBare;
    private String serverFirst;
    private String gs2Header;
    private String nonce;

    public ScramServerExchange(ScramVerifier verifier) {
        this.verifier = verifier;
        this.mock = false;
    }

    private ScramServerExchange(ScramVerifier verifier, boolean mock) {
        this.verifier = verifier;
        this.mock = mock;
    }

    /** An exchange for a user that does not exist: it looks like a real one and always fails. */
    public static ScramServerExchange forUnknownUser(String user) {
        byte[] salt = new byte[16];
        System.arraycopy(ScramVerifier.hmac(MOCK_SECRET, user.getBytes(StandardCharsets.UTF_8)), 0, salt, 0, 16);
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        return new ScramServerExchange(new ScramVerifier(ScramVerifier.DEFAULT_ITERATIONS, salt, random, random), true);
    }

    /** Protocol violation in the client's SCRAM messages. */
    public static final class ScramException extends Exception {
        public ScramException(String message) {
            super(message);
        }
    }

    /**
     * Offers channel binding with the TLS server certificate hash {@code data} (null: no TLS) and records the
     * mechanism the client chose. Call before {@link #clientFirst}.
     */
    public void channelBinding(byte[] data, String chosenMechanism) throws ScramException {
        this.channelBindingData = data;
        this.plus = MECHANISM_PLUS.equals(chosenMechanism);
        if (plus && data == null) {
            throw new ScramException("SCRAM-SHA-256-PLUS is offered only over TLS");
        }
    }

    public String clientFirst(String message) throws ScramException {
        if (message.startsWith("p=")) {
            if (!plus || !message.startsWith("p=" + CHANNEL_BINDING + ",")) {
                throw new ScramException("unsupported SCRAM channel-binding type");
            }
        } else if (plus) {
            throw new ScramException("channel binding is required by the chosen SCRAM-SHA-256-PLUS mechanism");
        } else if (message.startsWith("y,") && channelBindingData != null) {
            // the client could have bound the channel, and we offered it: someone removed the offer
            throw new ScramException("SCRAM channel binding negotiation error");
        } else if (!message.startsWith("n,") && !message.startsWith("y,")) {
            throw new ScramException("malformed SCRAM client-first-message");
        }
        int second = message.indexOf(',', message.indexOf(',') + 1);
        if (second < 0) {
            throw new ScramException("malformed SCRAM client-first-message");
        }
        gs2Header = message.substring(0, second + 1);
        clientFirstBare = message.substring(second + 1);
        String clientNonce = null;
        for (String attr : clientFirstBare.split(",")) {
            if (attr.startsWith("r=")) {
                clientNonce = attr.substring(2);
            } else if (attr.startsWith("m=")) {
                throw new ScramException("SCRAM extensions are not supported");
            }
        }
        if (clientNonce == null || clientNonce.isEmpty()) {
            throw new ScramException("SCRAM client nonce missing");
        }
        byte[] serverNonce = new byte[18];
        RANDOM.nextBytes(serverNonce);
        nonce = clientNonce + Base64.getEncoder().encodeToString(serverNonce);
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(verifier.salt()) + ",i="
                + verifier.iterations();
        return serverFirst;
    }

    /** Checks the client-final-message; returns the server-final-message, or null if the proof is wrong. */
    public String clientFinal(String message) throws ScramException {
        if (serverFirst == null) {
            throw new ScramException("SCRAM client-final-message out of order");
        }
        int proofAt = message.lastIndexOf(",p=");
        if (proofAt < 0) {
            throw new ScramException("SCRAM proof missing");
        }
        String withoutProof = message.substring(0, proofAt);
        String channelBinding = null;
        String finalNonce = null;
        for (String attr : withoutProof.split(",")) {
            if (attr.startsWith("c=")) {
                channelBinding = attr.substring(2);
            } else if (attr.startsWith("r=")) {
                finalNonce = attr.substring(2);
            }
        }
        byte[] header = gs2Header.getBytes(StandardCharsets.US_ASCII);
        byte[] binding = header;
        if (plus) {
            binding = java.util.Arrays.copyOf(header, header.length + channelBindingData.length);
            System.arraycopy(channelBindingData, 0, binding, header.length, channelBindingData.length);
        }
        String expectedBinding = Base64.getEncoder().encodeToString(binding);
        if (!expectedBinding.equals(channelBinding)) {
            throw new ScramException("SCRAM channel binding check failed");
        }
        if (!nonce.equals(finalNonce)) {
            throw new ScramException("SCRAM nonce mismatch");
        }
        byte[] proof;
        try {
            proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
        } catch (IllegalArgumentException e) {
            throw new ScramException("malformed SCRAM proof");
        }
        if (proof.length != 32) {
            throw new ScramException("malformed SCRAM proof");
        }
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramVerifier.hmac(verifier.storedKey(), authMessage);
        byte[] clientKey = new byte[32];
        for (int i = 0; i < 32; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean ok = MessageDigest.isEqual(ScramVerifier.sha256(clientKey), verifier.storedKey());
        if (!ok || mock) {
            return null;
        }
        byte[] serverSignature = ScramVerifier.hmac(verifier.serverKey(), authMessage);
        return "v=" + Base64.getEncoder().encodeToString(serverSignature);
    }
}

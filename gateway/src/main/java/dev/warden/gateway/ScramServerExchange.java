package dev.warden.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802/7677, as PostgreSQL runs it inside SASL messages):
 * {@link #clientFirst} answers the client-first-message with the server-first-message, {@link #clientFinal}
 * checks the proof and returns the server-final-message, or null when the proof is wrong. Channel binding
 * is not offered, so the gs2 header must be {@code n} or {@code y}. Not thread-safe: one per connection.
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

    private final ScramVerifier verifier;
    private final boolean mock;
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

    public String clientFirst(String message) throws ScramException {
        if (message.startsWith("p=")) {
            throw new ScramException("channel binding is not supported");
        }
        if (!(message.startsWith("n,") || message.startsWith("y,"))) {
            throw new ScramException("malformed SCRAM client-first-message");
        }
        int second = message.indexOf(',', 2);
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
        String expectedBinding = Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.US_ASCII));
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

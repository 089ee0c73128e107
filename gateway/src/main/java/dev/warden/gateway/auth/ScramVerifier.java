package dev.warden.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-256 password verifier in PostgreSQL's {@code pg_authid} format,
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (RFC 5802, RFC 7677): what the gateway
 * stores instead of a password. Immutable and thread-safe.
 *
 * <p><b>Security guarantees</b>: the verifier lets the gateway check a client's proof and prove itself to
 * the client; it does not reveal the password (recovering it needs a dictionary attack against PBKDF2).
 * <b>Warning</b>: like a password hash, a leaked verifier allows offline guessing and impersonating the
 * gateway, so it is kept out of logs and messages ({@link #toString()} hides the keys).
 */
public record ScramVerifier(int iterations, byte[] salt, byte[] storedKey, byte[] serverKey) {

    public static final String MECHANISM = "SCRAM-SHA-256";
    public static final int DEFAULT_ITERATIONS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Parses PostgreSQL's format; throws IllegalArgumentException (without the text) when malformed. */
    public static ScramVerifier parse(String text) {
        try {
            if (!text.startsWith(MECHANISM + "$")) {
                throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
            }
            String[] parts = text.substring(MECHANISM.length() + 1).split("\\$");
            String[] iterSalt = parts[0].split(":");
            String[] keys = parts[1].split(":");
            Base64.Decoder b64 = Base64.getDecoder();
            ScramVerifier v = new ScramVerifier(Integer.parseInt(iterSalt[0]), b64.decode(iterSalt[1]),
                    b64.decode(keys[0]), b64.decode(keys[1]));
            if (v.iterations < 1 || v.storedKey.length != 32 || v.serverKey.length != 32 || v.salt.length == 0) {
                throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier");
            }
            return v;
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().contains("SCRAM")) {
                throw e;
            }
            throw new IllegalArgumentException("malformed SCRAM-SHA-256 verifier");
        }
    }

    /** A new verifier for {@code password} with a random 16-byte salt. */
    public static ScramVerifier generate(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    /** The verifier for {@code password}, {@code salt} and {@code iterations} (deterministic). */
    public static ScramVerifier derive(char[] password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramVerifier(iterations, salt.clone(), sha256(clientKey), serverKey);
    }

    /** True when {@code password} matches this verifier (used for cleartext password authentication). */
    public boolean matches(char[] password) {
        ScramVerifier other = derive(password, salt, iterations);
        return MessageDigest.isEqual(other.storedKey, storedKey) && MessageDigest.isEqual(other.serverKey, serverKey);
    }

    /** PostgreSQL's text format, suitable for the gateway configuration or {@code ALTER ROLE ... PASSWORD}. */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return MECHANISM + "$" + iterations + ":" + b64.encodeToString(salt) + "$" + b64.encodeToString(storedKey)
                + ":" + b64.encodeToString(serverKey);
    }

    @Override
    public String toString() {
        return "ScramVerifier[iterations=" + iterations + ", keys hidden]";
    }

    public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        // SASLprep is approximated by NFKC normalisation; PostgreSQL also falls back to the raw bytes when
        // preparation fails, and ASCII passwords are unchanged either way.
        String prepared = Normalizer.normalize(new String(password), Normalizer.Form.NFKC);
        try {
            // PBKDF2WithHmacSHA256 takes the password as chars and encodes them as UTF-8, as RFC 5802 wants.
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(prepared.toCharArray(), salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}

package dev.warden.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A password verifier in PostgreSQL's legacy md5 format, {@code md5} followed by the hex MD5 of the password
 * concatenated with the user name, as {@code pg_authid} stores it. Immutable and thread-safe.
 *
 * <p><b>Warning</b>: unlike a SCRAM verifier this is a password equivalent for the md5 protocol: whoever
 * holds it can log in as the user with md5 authentication, and MD5 is fast to guess against. Keep it as
 * secret as the password ({@link #toString()} hides it); prefer SCRAM-SHA-256.
 */
public final class Md5Verifier {

    private static final HexFormat HEX = HexFormat.of();
    private final byte[] hexHash;

    private Md5Verifier(byte[] hexHash) {
        this.hexHash = hexHash;
    }

    /** True when {@code text} looks like an md5 verifier (so it is not parsed as SCRAM). */
    public static boolean isMd5(String text) {
        return text.startsWith("md5") && text.length() == 35;
    }

    /** Parses {@code md5<32 hex digits>}; IllegalArgumentException (without the text) when malformed. */
    public static Md5Verifier parse(String text) {
        if (!isMd5(text)) {
            throw new IllegalArgumentException("not an md5 verifier (md5 followed by 32 hex digits)");
        }
        String hex = text.substring(3).toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new IllegalArgumentException("not an md5 verifier (md5 followed by 32 hex digits)");
            }
        }
        return new Md5Verifier(hex.getBytes(StandardCharsets.US_ASCII));
    }

    /** The verifier of {@code password} for {@code userName}: md5 + hex(md5(password + userName)). */
    public static Md5Verifier of(char[] password, String userName) {
        byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
        byte[] user = userName.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[pw.length + user.length];
        System.arraycopy(pw, 0, input, 0, pw.length);
        System.arraycopy(user, 0, input, pw.length, user.length);
        byte[] hex = HEX.formatHex(md5(input)).getBytes(StandardCharsets.US_ASCII);
        java.util.Arrays.fill(pw, (byte) 0);
        java.util.Arrays.fill(input, (byte) 0);
        return new Md5Verifier(hex);
    }

    /**
     * True when {@code response} is the client's answer to AuthenticationMD5Password with {@code salt}:
     * {@code md5} + hex(md5(hex-hash + salt)). Compared in constant time.
     */
    public boolean matchesChallenge(String response, byte[] salt) {
        byte[] input = new byte[hexHash.length + salt.length];
        System.arraycopy(hexHash, 0, input, 0, hexHash.length);
        System.arraycopy(salt, 0, input, hexHash.length, salt.length);
        byte[] expected = ("md5" + HEX.formatHex(md5(input))).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, response.getBytes(StandardCharsets.UTF_8));
    }

    /** True when {@code password} of {@code userName} gives this verifier (cleartext authentication). */
    public boolean matches(char[] password, String userName) {
        return MessageDigest.isEqual(of(password, userName).hexHash, hexHash);
    }

    /** PostgreSQL's text format, for the gateway configuration. */
    public String format() {
        return "md5" + new String(hexHash, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "Md5Verifier[hidden]";
    }

    private static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
    }
}

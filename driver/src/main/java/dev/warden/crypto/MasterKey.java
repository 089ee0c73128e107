package dev.warden.crypto;

/**
 * The 32-byte key that opens keysets (it never encrypts data). Resolved from a reference:
 * {@code env:NAME}, {@code file:PATH}, or null for the environment variable {@code WARDEN_MASTER_KEY}.
 * The value is 32 random bytes, base64-encoded ({@code openssl rand -base64 32}).
 */
public final class MasterKey {

    public static MasterKey resolve(String reference) throws KeyException {
        throw new UnsupportedOperationException("TODO crypto");
    }

    public static MasterKey fromBase64(String base64) throws KeyException {
        throw new UnsupportedOperationException("TODO crypto");
    }

    /** A fresh random master key, base64-encoded. */
    public static String generateBase64() {
        throw new UnsupportedOperationException("TODO crypto");
    }
}

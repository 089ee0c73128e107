package dev.warden.crypto;

/** A key that cannot be found, read or used. Messages never carry key material or plaintext. */
public final class KeyException extends Exception {
    public KeyException(String message) {
        super(message);
    }

    public KeyException(String message, Throwable cause) {
        super(message, cause);
    }
}

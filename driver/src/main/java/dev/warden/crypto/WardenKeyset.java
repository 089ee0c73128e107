package dev.warden.crypto;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The keys of one deployment: randomized (AEAD, AES-256-GCM), deterministic (DAEAD, AES-256-SIV) and audit
 * MAC (HMAC-SHA256) Tink keysets, stored together in one JSON file, each encrypted under the master key.
 * Immutable and thread-safe; ciphers are created once per column and cached by the caller.
 */
public final class WardenKeyset {

    public static WardenKeyset generate() {
        throw new UnsupportedOperationException("TODO crypto");
    }

    /** @throws KeyException when the file is missing or malformed, or the master key does not open it */
    public static WardenKeyset read(Path file, MasterKey masterKey) throws KeyException {
        throw new UnsupportedOperationException("TODO crypto");
    }

    public void write(Path file, MasterKey masterKey) throws IOException {
        throw new UnsupportedOperationException("TODO crypto");
    }

    /** A new keyset with a fresh primary key in each of its three keysets; old keys still decrypt. */
    public WardenKeyset rotate() {
        throw new UnsupportedOperationException("TODO crypto");
    }

    public ColumnCipher randomized(String columnName) {
        throw new UnsupportedOperationException("TODO crypto");
    }

    public ColumnCipher deterministic(String columnName) {
        throw new UnsupportedOperationException("TODO crypto");
    }

    /** HMAC-SHA256 (Tink) tag of {@code data} under the audit key, for the audit hash chain. */
    public byte[] auditMac(byte[] data) {
        throw new UnsupportedOperationException("TODO crypto");
    }

    /** True when {@code tag} is a valid audit MAC of {@code data} under any key of the audit keyset. */
    public boolean verifyAuditMac(byte[] tag, byte[] data) {
        throw new UnsupportedOperationException("TODO crypto");
    }
}

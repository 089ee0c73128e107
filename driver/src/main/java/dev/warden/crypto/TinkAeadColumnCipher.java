package dev.warden.crypto;

import com.google.crypto.tink.Aead;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Randomized column cipher: Tink AEAD (AES-256-GCM, fresh nonce per call) with associated data
 * {@code "warden/1:" + column}. Equal plaintexts give different ciphertexts, so the database can neither
 * compare nor index them. Immutable and thread-safe (the Tink primitive is).
 *
 * <p>Ciphertext layout (Tink's): 5-byte key prefix, 12-byte nonce, ciphertext, 16-byte tag, i.e.
 * plaintext length + 33 bytes. Decryption goes to the key the prefix names through a {@link KeyRouter}.
 */
final class TinkAeadColumnCipher implements ColumnCipher {
    private final KeyRouter<Aead> keys;
    private final byte[] associatedData;
    private final String column;

    TinkAeadColumnCipher(KeyRouter<Aead> keys, String column) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.column = Objects.requireNonNull(column, "column");
        // computed once: the per-row path must not re-encode the column name
        this.associatedData = associatedData(column);
    }

    static byte[] associatedData(String column) {
        return ("warden/1:" + column).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] encrypt(byte[] plaintext) {
        try {
            return keys.keysetPrimitive().encrypt(plaintext, associatedData);
        } catch (GeneralSecurityException e) {
            // never the value: only which column failed
            throw new IllegalStateException("AES-GCM encryption failed for column " + column, e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
        try {
            return keys.forCiphertext(ciphertext).decrypt(ciphertext, associatedData);
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("ciphertext does not decrypt for column " + column
                    + " (written for another column, under another key, or modified)", e);
        }
    }

    @Override
    public String toString() {
        return "TinkAeadColumnCipher[" + column + "]";
    }
}

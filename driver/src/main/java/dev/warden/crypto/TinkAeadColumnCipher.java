package dev.warden.crypto;

import com.google.crypto.tink.Aead;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Randomized column cipher: Tink AEAD (AES-256-GCM, fresh nonce per call) with associated data
 * {@code "warden/1:" + column}. Equal plaintexts give different ciphertexts, so the database can neither
 * compare nor index them. Immutable and thread-safe.
 *
 * <p>Ciphertext layout (Tink's): 5-byte key prefix, 12-byte nonce, ciphertext, 16-byte tag, i.e.
 * plaintext length + 33 bytes. Decryption goes to the key the prefix names through a {@link KeyRouter}: to
 * that key's {@link AesGcmDecryptor}, bound to this column's associated data when the cipher is built.
 */
final class TinkAeadColumnCipher implements ColumnCipher {
    private final Aead encryptor;
    private final KeyRouter<ColumnDecryptor> decryptors;
    private final byte[] associatedData;
    private final String column;

    TinkAeadColumnCipher(KeyRouter<Aead> keys, String column) {
        this.column = Objects.requireNonNull(column, "column");
        // computed once: the per-row path must not re-encode the column name
        byte[] ad = associatedData(column);
        this.associatedData = ad;
        Aead keyset = keys.keysetPrimitive();
        this.encryptor = keyset;
        try {
            this.decryptors = keys.map(key -> key instanceof AesGcmDecryptor gcm
                            ? gcm.forAssociatedData(ad)
                            : ciphertext -> key.decrypt(ciphertext, ad),
                    ciphertext -> keyset.decrypt(ciphertext, ad));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up AES-GCM decryption for column " + column, e);
        }
    }

    static byte[] associatedData(String column) {
        return ("warden/1:" + column).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] encrypt(byte[] plaintext) {
        try {
            return encryptor.encrypt(plaintext, associatedData);
        } catch (GeneralSecurityException e) {
            // never the value: only which column failed
            throw new IllegalStateException("AES-GCM encryption failed for column " + column, e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
        try {
            return decryptors.forCiphertext(ciphertext).decrypt(ciphertext);
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

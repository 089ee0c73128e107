package dev.warden.crypto;

import com.google.crypto.tink.Aead;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Randomized column cipher: AES-256-GCM in Tink's format (fresh random nonce per call) with associated data
 * {@code "warden/1:" + column}. Equal plaintexts give different ciphertexts, so the database can neither
 * compare nor index them. Immutable and thread-safe.
 *
 * <p>Ciphertext layout (Tink's): 5-byte key prefix, 12-byte nonce, ciphertext, 16-byte tag, i.e.
 * plaintext length + 33 bytes. Each key of the keyset is bound to this column once, when the cipher is
 * built ({@link AesGcmCipher#forAssociatedData}); encryption goes to the primary key's, decryption to the
 * key the prefix names ({@link KeyRouter}). A keyset Warden cannot route (another key type or parameters)
 * is left to Tink's keyset primitive for both.
 */
final class TinkAeadColumnCipher implements ColumnCipher {
    private final KeyRouter<ColumnKey> keys;
    private final ColumnKey encryptor;
    private final String column;

    /** @param primaryKeyId the Tink id of the keyset's primary key, which encrypts */
    TinkAeadColumnCipher(KeyRouter<Aead> keysetKeys, int primaryKeyId, String column) {
        this.column = Objects.requireNonNull(column, "column");
        // computed once: the per-value path must not re-encode the column name
        byte[] ad = associatedData(column);
        Aead keyset = keysetKeys.keysetPrimitive();
        try {
            this.keys = keysetKeys.map(key -> key instanceof AesGcmCipher gcm
                            ? gcm.forAssociatedData(ad)
                            : ColumnKey.of(plaintext -> key.encrypt(plaintext, ad), ciphertext -> key.decrypt(ciphertext, ad)),
                    ColumnKey.of(plaintext -> keyset.encrypt(plaintext, ad), ciphertext -> keyset.decrypt(ciphertext, ad)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up AES-GCM for column " + column, e);
        }
        ColumnKey primary = keys.forEncryption(primaryKeyId, column);
        this.encryptor = primary != null ? primary : keys.keysetPrimitive();
    }

    static byte[] associatedData(String column) {
        return ("warden/1:" + column).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] encrypt(byte[] plaintext) {
        try {
            return encryptor.encrypt(plaintext);
        } catch (GeneralSecurityException e) {
            // never the value: only which column failed
            throw new IllegalStateException("AES-GCM encryption failed for column " + column, e);
        }
    }

    @Override
    public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
        try {
            return keys.forCiphertext(ciphertext).decrypt(ciphertext);
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

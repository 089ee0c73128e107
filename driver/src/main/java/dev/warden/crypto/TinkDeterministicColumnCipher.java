package dev.warden.crypto;

import com.google.crypto.tink.DeterministicAead;

import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Deterministic column cipher: AES-256-SIV in Tink's DAEAD format with associated data {@code "warden/1:" + column}.
 * Equal plaintexts in the same column under the same primary key give equal ciphertexts, which is what lets
 * the engine compare a protected column for equality in SQL. Immutable and thread-safe.
 *
 * <h2>Warning</h2>
 * Equality is visible to the database: it learns which rows share a value (and value frequencies). Use it
 * only for columns that must be searched by equality. After a key rotation new ciphertexts of an old value
 * differ from the stored ones: equality lookups must compare with the value under every enabled key
 * ({@link WardenKeyset#deterministicForEveryKey}) until the column is re-encrypted.
 *
 * <p>Ciphertext layout (Tink's): 5-byte key prefix, 16-byte synthetic IV, ciphertext: plaintext + 21 bytes.
 * Each key of the keyset is bound to this column once, when the cipher is built
 * ({@link AesSivCipher#forAssociatedData}); encryption goes to the encrypting key's (the primary, or an older
 * key for equality after a rotation), decryption to the key the prefix names ({@link KeyRouter}), whichever
 * key encrypts. A keyset Warden cannot route is left to Tink's primitives for both.
 */
final class TinkDeterministicColumnCipher implements ColumnCipher {
    private final KeyRouter<ColumnKey> keys;
    private final ColumnKey encryptor;
    private final String column;

    /**
     * @param tinkEncryptor   a Tink primitive encrypting under the key {@code encryptingKeyId} (the keyset's, or
     *                        one whose primary is an older key, see WardenKeyset); used when that key is not routed
     * @param encryptingKeyId the Tink id of the key that encrypts
     */
    TinkDeterministicColumnCipher(DeterministicAead tinkEncryptor, int encryptingKeyId,
                                  KeyRouter<DeterministicAead> keysetKeys, String column) {
        Objects.requireNonNull(tinkEncryptor, "tinkEncryptor");
        this.column = Objects.requireNonNull(column, "column");
        byte[] ad = TinkAeadColumnCipher.associatedData(column);
        DeterministicAead keyset = keysetKeys.keysetPrimitive();
        try {
            this.keys = keysetKeys.map(key -> key instanceof AesSivCipher siv
                            ? siv.forAssociatedData(ad)
                            : ColumnKey.of(plaintext -> key.encryptDeterministically(plaintext, ad),
                                    ciphertext -> key.decryptDeterministically(ciphertext, ad)),
                    ColumnKey.of(plaintext -> keyset.encryptDeterministically(plaintext, ad),
                            ciphertext -> keyset.decryptDeterministically(ciphertext, ad)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up AES-SIV for column " + column, e);
        }
        ColumnKey routed = keys.forEncryption(encryptingKeyId, column);
        this.encryptor = routed != null ? routed
                : ColumnKey.of(plaintext -> tinkEncryptor.encryptDeterministically(plaintext, ad),
                        ciphertext -> tinkEncryptor.decryptDeterministically(ciphertext, ad));
    }

    @Override
    public byte[] encrypt(byte[] plaintext) {
        try {
            return encryptor.encrypt(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-SIV encryption failed for column " + column, e);
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
        return "TinkDeterministicColumnCipher[" + column + "]";
    }
}

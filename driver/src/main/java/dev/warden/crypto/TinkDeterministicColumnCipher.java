package dev.warden.crypto;

import com.google.crypto.tink.DeterministicAead;

import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Deterministic column cipher: Tink DAEAD (AES-256-SIV) with associated data {@code "warden/1:" + column}.
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
 * Decryption goes to the key the prefix names through a {@link KeyRouter}, whichever key encrypts: to that
 * key's {@link AesSivDecryptor}, bound to this column's associated data when the cipher is built.
 */
final class TinkDeterministicColumnCipher implements ColumnCipher {
    private final DeterministicAead encryptor;
    private final KeyRouter<ColumnDecryptor> decryptors;
    private final byte[] associatedData;
    private final String column;

    /** {@code encryptor}: the keyset's primitive, or one whose primary is an older key (see WardenKeyset). */
    TinkDeterministicColumnCipher(DeterministicAead encryptor, KeyRouter<DeterministicAead> keys, String column) {
        this.encryptor = Objects.requireNonNull(encryptor, "encryptor");
        this.column = Objects.requireNonNull(column, "column");
        byte[] ad = TinkAeadColumnCipher.associatedData(column);
        this.associatedData = ad;
        DeterministicAead keyset = keys.keysetPrimitive();
        try {
            this.decryptors = keys.map(key -> key instanceof AesSivDecryptor siv
                            ? siv.forAssociatedData(ad)
                            : ciphertext -> key.decryptDeterministically(ciphertext, ad),
                    ciphertext -> keyset.decryptDeterministically(ciphertext, ad));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up AES-SIV decryption for column " + column, e);
        }
    }

    @Override
    public byte[] encrypt(byte[] plaintext) {
        try {
            return encryptor.encryptDeterministically(plaintext, associatedData);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-SIV encryption failed for column " + column, e);
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
        return "TinkDeterministicColumnCipher[" + column + "]";
    }
}

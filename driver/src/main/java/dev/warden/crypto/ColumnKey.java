package dev.warden.crypto;

import java.security.GeneralSecurityException;

/**
 * One key bound to one column: the per-value step of a write and of a read, with everything that depends
 * only on the column (its associated data) computed beforehand. Encrypts under this key, in Tink's layout
 * (so Tink decrypts it); decrypts this key's ciphertexts of this column.
 */
interface ColumnKey {
    /** The ciphertext of {@code plaintext} (Tink's layout: this key's prefix first). */
    byte[] encrypt(byte[] plaintext) throws GeneralSecurityException;

    /** @throws GeneralSecurityException when the ciphertext is not this key's for this column, or modified */
    byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException;

    /** A column key that asks Tink's own primitive, for keys of parameters Warden does not implement. */
    static ColumnKey of(Encryption encrypt, Decryption decrypt) {
        return new ColumnKey() {
            @Override
            public byte[] encrypt(byte[] plaintext) throws GeneralSecurityException {
                return encrypt.apply(plaintext);
            }

            @Override
            public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
                return decrypt.apply(ciphertext);
            }
        };
    }

    @FunctionalInterface
    interface Encryption {
        byte[] apply(byte[] plaintext) throws GeneralSecurityException;
    }

    @FunctionalInterface
    interface Decryption {
        byte[] apply(byte[] ciphertext) throws GeneralSecurityException;
    }
}

package dev.warden.crypto;

import java.security.GeneralSecurityException;

/**
 * Encrypts and decrypts the values of one column. Obtained once per column; thread-safe.
 *
 * <h2>Security guarantees</h2>
 * Ciphertext is bound to the column name given at creation (associated data): a ciphertext produced for
 * another column, or tampered with, fails {@link #decrypt} instead of yielding garbage.
 */
public interface ColumnCipher {
    byte[] encrypt(byte[] plaintext);

    byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException;
}

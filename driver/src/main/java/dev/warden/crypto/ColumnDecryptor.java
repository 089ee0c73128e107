package dev.warden.crypto;

import java.security.GeneralSecurityException;

/**
 * Decrypts the ciphertexts of one column under one key: the per-row step of a read, with everything that
 * depends only on the column (its associated data) computed beforehand.
 */
@FunctionalInterface
interface ColumnDecryptor {
    /** @throws GeneralSecurityException when the ciphertext is not this key's for this column, or modified */
    byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException;
}

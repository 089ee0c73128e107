package dev.warden.crypto;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.util.Arrays;

/** Tampering checks shared by the decryptor tests. */
final class CipherAssertions {
    private CipherAssertions() {
    }

    /** Every single-bit change of {@code ciphertext} makes {@code decryptor} fail. */
    static void everyBitFlipIsRefused(ColumnKey decryptor, byte[] ciphertext) {
        for (int bit = 0; bit < ciphertext.length * 8; bit++) {
            byte[] tampered = ciphertext.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThrows(GeneralSecurityException.class, () -> decryptor.decrypt(tampered),
                    "length " + ciphertext.length + ", bit " + bit);
        }
    }

    /** Every proper prefix of {@code ciphertext} shorter than {@code headerLength} makes the decryptor fail. */
    static void everyTruncationIsRefused(ColumnKey decryptor, byte[] ciphertext, int headerLength) {
        for (int length = 0; length < headerLength; length++) {
            byte[] truncated = Arrays.copyOf(ciphertext, length);
            assertThrows(GeneralSecurityException.class, () -> decryptor.decrypt(truncated), "length " + length);
        }
    }
}

package dev.warden.crypto;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.subtle.AesGcmJce;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One AES-GCM key of a Tink keyset: encrypts with Tink's own {@code AesGcmJce} (fresh random nonce), decrypts
 * its ciphertexts (Tink's layout: 5-byte key prefix, 12-byte nonce, ciphertext, 16-byte tag) by NIST SP
 * 800-38D on the JDK's AES block cipher ({@link AesBlocks}) and a constant-time {@link Ghash}.
 *
 * <p>Why not the JDK's GCM: on JDK 17 each {@code Cipher.init}+{@code doFinal} sets up a new GHASH (the
 * intrinsic's table of powers of H) and buffers the input, about 0.5 µs for a short column value. Here H is
 * derived once per key and the GHASH of the column's associated data once per column
 * ({@link #forAssociatedData}); a value costs one ECB call (tag mask and keystream) and a GHASH over its
 * own blocks.
 *
 * <h2>Security guarantees</h2>
 * Accepts exactly the ciphertexts Tink accepts for the same key and associated data, with the same plaintext
 * (cross-checked against Tink and the JDK in AesGcmDecryptorTest, with NIST vectors). The tag is checked,
 * in constant time, before any plaintext is produced. Encryption is never done here. Immutable and
 * thread-safe.
 */
final class AesGcmDecryptor implements Aead {
    private static final int NONCE = 12;
    private static final int TAG = 16;

    private final Aead tinkEncryptor;
    private final byte[] outputPrefix;
    private final AesBlocks aes;
    private final Ghash ghash;

    private AesGcmDecryptor(Aead tinkEncryptor, byte[] key, byte[] outputPrefix) throws GeneralSecurityException {
        this.tinkEncryptor = tinkEncryptor;
        this.outputPrefix = outputPrefix;
        this.aes = new AesBlocks(key);
        byte[] h = new byte[AesBlocks.BLOCK];
        aes.encryptBlock(h);
        this.ghash = new Ghash(h);
        Arrays.fill(h, (byte) 0);
    }

    /**
     * The decryptor of {@code key}; null when its parameters are not the ones this class implements
     * (12-byte nonce, 16-byte tag, 5-byte Tink prefix), so that the caller leaves such a key to Tink.
     */
    @AccessesPartialKey
    static AesGcmDecryptor createOrNull(AesGcmKey key) throws GeneralSecurityException {
        AesGcmParameters parameters = key.getParameters();
        if (parameters.getIvSizeBytes() != NONCE || parameters.getTagSizeBytes() != TAG
                || parameters.getVariant() != AesGcmParameters.Variant.TINK) {
            return null;
        }
        return new AesGcmDecryptor(AesGcmJce.create(key), key.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()),
                key.getOutputPrefix().toByteArray());
    }

    /** A decryptor of unprefixed {@code nonce || ciphertext || tag} under a raw AES key; for NIST vectors. */
    static AesGcmDecryptor forTestVector(byte[] key) throws GeneralSecurityException {
        return new AesGcmDecryptor(null, key, new byte[0]);
    }

    /** Decrypts this key's ciphertexts bound to {@code associatedData}; build once per column. */
    ColumnDecryptor forAssociatedData(byte[] associatedData) {
        Ghash.Prepared column = ghash.prepare(associatedData);
        return ciphertext -> decrypt(ciphertext, column);
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return tinkEncryptor.encrypt(plaintext, associatedData);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return forAssociatedData(associatedData == null ? new byte[0] : associatedData).decrypt(ciphertext);
    }

    private byte[] decrypt(byte[] ciphertext, Ghash.Prepared column) throws GeneralSecurityException {
        int header = outputPrefix.length + NONCE;
        if (ciphertext.length < header + TAG) {
            throw new GeneralSecurityException("ciphertext too short");
        }
        for (int i = 0; i < outputPrefix.length; i++) {
            if (ciphertext[i] != outputPrefix[i]) throw new GeneralSecurityException("ciphertext of another key");
        }
        int length = ciphertext.length - header - TAG;

        // counter blocks J0 = nonce || 1 (tag mask), then nonce || 2, 3, ... (keystream), encrypted in one call
        int blocks = (length + AesBlocks.BLOCK - 1) / AesBlocks.BLOCK;
        byte[] counters = new byte[(blocks + 1) * AesBlocks.BLOCK];
        for (int b = 0; b <= blocks; b++) {
            int at = b * AesBlocks.BLOCK;
            System.arraycopy(ciphertext, outputPrefix.length, counters, at, NONCE);
            int counter = b + 1;   // inc32: wraps modulo 2^32, as GCM's counter does
            counters[at + 12] = (byte) (counter >>> 24);
            counters[at + 13] = (byte) (counter >>> 16);
            counters[at + 14] = (byte) (counter >>> 8);
            counters[at + 15] = (byte) counter;
        }
        aes.encryptBlocks(counters, 0, counters.length, counters, 0);

        byte[] computedTag = new byte[TAG];
        column.hash(ciphertext, header, length, computedTag);
        if (!AesBlocks.sameBlockMasked(computedTag, counters, ciphertext, ciphertext.length - TAG)) {
            throw new AEADBadTagException("tag mismatch");
        }
        byte[] plaintext = new byte[length];
        for (int i = 0; i < length; i++) {
            plaintext[i] = (byte) (ciphertext[header + i] ^ counters[AesBlocks.BLOCK + i]);
        }
        return plaintext;
    }
}

package dev.warden.crypto;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One AES-GCM key of a Tink keyset, encrypting and decrypting in Tink's layout (5-byte key prefix, 12-byte
 * random nonce, ciphertext, 16-byte tag) by NIST SP 800-38D on the JDK's AES block cipher ({@link AesBlocks})
 * and a constant-time {@link Ghash}. Tink decrypts what it writes and it decrypts what Tink writes.
 *
 * <p>Why not the JDK's GCM (which Tink uses): on JDK 17 each {@code Cipher.init}+{@code doFinal} sets up a new
 * GHASH (the intrinsic's table of powers of H), checks the nonce against the previous one and buffers the
 * input, about 0.5 µs for a short column value, and Tink draws its nonce from the JDK's default
 * {@code SecureRandom} (NativePRNG: one lock for the whole process). Here H is derived once per key and the
 * GHASH of the column's associated data once per column ({@link #forAssociatedData}); a value costs one
 * ECB call (tag mask and keystream) and a GHASH over its own blocks, and the nonce comes from
 * {@link GcmNonces}.
 *
 * <h2>Security guarantees</h2>
 * Every encryption draws a fresh random 96-bit nonce from a NIST SP 800-90A DRBG ({@link GcmNonces}):
 * random nonces, as Tink's, so a key must not encrypt much more than 2^32 values (SP 800-38D section 8.3);
 * rotate keys well before that.
 * Decryption accepts exactly the ciphertexts Tink accepts for the same key and associated data, with the
 * same plaintext; the tag is checked, in constant time, before any plaintext is produced (and the keystream
 * of a refused ciphertext wiped). Keystream and plaintext otherwise live as long as the plaintext the caller
 * keeps: wiping them per value was 6% of a 100-row read's samples (JFR) and protects nothing the returned value does not
 * expose. Cross-checked against Tink and the JDK in AesGcmCipherTest, with NIST and Wycheproof vectors.
 * Immutable and thread-safe.
 */
final class AesGcmCipher implements Aead {
    private static final int NONCE = GcmNonces.LENGTH;
    private static final int TAG = 16;
    /** Tink's own limit, so that both refuse the same plaintexts. */
    private static final int MAX_PLAINTEXT = Integer.MAX_VALUE - NONCE - TAG - 5;

    private final byte[] outputPrefix;
    private final AesBlocks aes;
    private final Ghash ghash;

    private AesGcmCipher(byte[] key, byte[] outputPrefix) throws GeneralSecurityException {
        this.outputPrefix = outputPrefix;
        this.aes = new AesBlocks(key);
        byte[] h = new byte[AesBlocks.BLOCK];
        aes.encryptBlock(h);
        this.ghash = new Ghash(h);
        Arrays.fill(h, (byte) 0);
    }

    /**
     * The cipher of {@code key}; null when its parameters are not the ones this class implements (12-byte
     * nonce, 16-byte tag, 5-byte Tink prefix), so that the caller leaves such a key to Tink.
     */
    @AccessesPartialKey
    static AesGcmCipher createOrNull(AesGcmKey key) throws GeneralSecurityException {
        AesGcmParameters parameters = key.getParameters();
        if (parameters.getIvSizeBytes() != NONCE || parameters.getTagSizeBytes() != TAG
                || parameters.getVariant() != AesGcmParameters.Variant.TINK) {
            return null;
        }
        return new AesGcmCipher(key.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()),
                key.getOutputPrefix().toByteArray());
    }

    /** A cipher of unprefixed {@code nonce || ciphertext || tag} under a raw AES key; for NIST vectors. */
    static AesGcmCipher forTestVector(byte[] key) throws GeneralSecurityException {
        return new AesGcmCipher(key, new byte[0]);
    }

    /** This key bound to one column's {@code associatedData}; build once per column. */
    ColumnKey forAssociatedData(byte[] associatedData) {
        Ghash.Prepared column = ghash.prepare(associatedData);
        return new ColumnKey() {
            @Override
            public byte[] encrypt(byte[] plaintext) throws GeneralSecurityException {
                byte[] out = newCiphertext(plaintext);
                GcmNonces.next(out, outputPrefix.length);
                return seal(plaintext, out, column);
            }

            @Override
            public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
                return AesGcmCipher.this.decrypt(ciphertext, column);
            }
        };
    }

    @Override
    public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return forAssociatedData(associatedData == null ? new byte[0] : associatedData).encrypt(plaintext);
    }

    @Override
    public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return forAssociatedData(associatedData == null ? new byte[0] : associatedData).decrypt(ciphertext);
    }

    /** Encryption under a chosen nonce, for test vectors only: a nonce must never be chosen twice for a key. */
    byte[] encryptWithNonceForTest(byte[] plaintext, byte[] nonce, byte[] associatedData)
            throws GeneralSecurityException {
        byte[] out = newCiphertext(plaintext);
        System.arraycopy(nonce, 0, out, outputPrefix.length, NONCE);
        return seal(plaintext, out, ghash.prepare(associatedData));
    }

    /** The output array for {@code plaintext}'s ciphertext, with this key's prefix written. */
    private byte[] newCiphertext(byte[] plaintext) throws GeneralSecurityException {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new GeneralSecurityException("plaintext too long");
        }
        byte[] out = new byte[outputPrefix.length + NONCE + plaintext.length + TAG];
        System.arraycopy(outputPrefix, 0, out, 0, outputPrefix.length);
        return out;
    }

    /** Fills {@code out} (prefix and nonce already in place) with the ciphertext and tag of {@code plaintext}. */
    private byte[] seal(byte[] plaintext, byte[] out, Ghash.Prepared column) throws GeneralSecurityException {
        int header = outputPrefix.length + NONCE;
        int length = plaintext.length;
        byte[] counters = counterBlocks(out, length);
        for (int i = 0; i < length; i++) {
            out[header + i] = (byte) (plaintext[i] ^ counters[AesBlocks.BLOCK + i]);
        }
        byte[] tag = new byte[TAG];
        column.hash(out, header, length, tag);
        for (int i = 0; i < TAG; i++) {
            out[header + length + i] = (byte) (tag[i] ^ counters[i]);
        }
        return out;
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
        byte[] counters = counterBlocks(ciphertext, length);
        byte[] computedTag = new byte[TAG];
        column.hash(ciphertext, header, length, computedTag);
        if (!AesBlocks.sameBlockMasked(computedTag, counters, ciphertext, ciphertext.length - TAG)) {
            Arrays.fill(counters, (byte) 0);
            throw new AEADBadTagException("tag mismatch");
        }
        byte[] plaintext = new byte[length];
        for (int i = 0; i < length; i++) {
            plaintext[i] = (byte) (ciphertext[header + i] ^ counters[AesBlocks.BLOCK + i]);
        }
        return plaintext;
    }

    /**
     * The encrypted counter blocks for a value of {@code length} bytes whose nonce sits after the prefix in
     * {@code message}: E(J0) (the tag mask) first, then the keystream E(nonce || 2), E(nonce || 3), ...,
     * all in one ECB call.
     */
    private byte[] counterBlocks(byte[] message, int length) throws GeneralSecurityException {
        int blocks = (length + AesBlocks.BLOCK - 1) / AesBlocks.BLOCK;
        byte[] counters = new byte[(blocks + 1) * AesBlocks.BLOCK];
        for (int b = 0; b <= blocks; b++) {
            int at = b * AesBlocks.BLOCK;
            System.arraycopy(message, outputPrefix.length, counters, at, NONCE);
            int counter = b + 1;   // inc32: wraps modulo 2^32, as GCM's counter does
            counters[at + 12] = (byte) (counter >>> 24);
            counters[at + 13] = (byte) (counter >>> 16);
            counters[at + 14] = (byte) (counter >>> 8);
            counters[at + 15] = (byte) counter;
        }
        // out of place: encrypting in place makes the JDK's cipher copy its input and zero the copy (JDK 17)
        byte[] encrypted = new byte[counters.length];
        aes.encryptBlocks(counters, 0, counters.length, encrypted, 0);
        return encrypted;
    }
}

package dev.warden.crypto;

import com.google.crypto.tink.AccessesPartialKey;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.daead.AesSivKey;
import com.google.crypto.tink.daead.AesSivParameters;

import javax.crypto.AEADBadTagException;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * One AES-256-SIV key of a Tink keyset, encrypting and decrypting in Tink's layout (5-byte key prefix, 16-byte
 * synthetic IV V, AES-CTR ciphertext) by RFC 5297 on the JDK's AES block cipher ({@link AesBlocks}); the
 * output is byte for byte Tink's {@code AesSiv}'s, about three times (encryption) to six times (decryption)
 * faster for a column value.
 *
 * <p>S2V over (associated data, plaintext) gives V; CTR from V (bits 31 and 63 cleared, RFC 5297 section 2.5)
 * encrypts. The S2V steps that depend only on the associated data (CMAC of the zero block and of the column's
 * associated data, section 2.4) are the same for every value of a column, so {@link #forAssociatedData}
 * computes them once per column; a value then costs one CBC call for the final CMAC and one ECB call for the
 * keystream. Decryption runs the same steps the other way round and compares V.
 *
 * <h2>Security guarantees</h2>
 * Deterministic by design (equal plaintexts of a column give equal ciphertexts: see
 * {@link TinkDeterministicColumnCipher}). Produces and accepts exactly what Tink's {@code AesSiv} produces and
 * accepts for the same key and associated data (cross-checked against Tink in AesSivCipherTest, with the RFC
 * 5297 and Wycheproof vectors). V is compared in constant time and the decrypted bytes are wiped before a failed check is
 * reported; the S2V input (a copy of the plaintext) is wiped after use. Immutable and thread-safe.
 */
final class AesSivCipher implements DeterministicAead {
    private static final int AES256_SIV_KEY_BYTES = 64;
    private static final byte[] ZERO_BLOCK = new byte[AesBlocks.BLOCK];
    /** Tink's own limit, so that both refuse the same plaintexts. */
    private static final int MAX_PLAINTEXT = Integer.MAX_VALUE - AesBlocks.BLOCK - 5;

    private final byte[] outputPrefix;
    private final AesBlocks macKey;      // K1: S2V's CMAC
    private final AesBlocks ctrKey;      // K2: CTR keystream
    private final byte[] cmacSubkey1;    // CMAC K1 subkey, for messages ending in a full block
    private final byte[] cmacSubkey2;    // CMAC K2 subkey, for padded messages
    private final byte[] cmacOfZero;     // CMAC(0^128): S2V's starting value

    private AesSivCipher(byte[] key, byte[] outputPrefix) throws GeneralSecurityException {
        this.outputPrefix = outputPrefix;
        // RFC 5297: the first half of the key is S2V's CMAC key, the second the CTR key
        this.macKey = new AesBlocks(Arrays.copyOfRange(key, 0, key.length / 2));
        this.ctrKey = new AesBlocks(Arrays.copyOfRange(key, key.length / 2, key.length));
        byte[] l = new byte[AesBlocks.BLOCK];
        macKey.encryptBlock(l);
        this.cmacSubkey1 = dbl(l);
        this.cmacSubkey2 = dbl(cmacSubkey1);
        this.cmacOfZero = cmac(new byte[AesBlocks.BLOCK]);
    }

    /**
     * The cipher of {@code key}; null when its parameters are not the ones this class implements (64-byte key
     * with a 5-byte Tink prefix), so that the caller leaves such a key to Tink.
     */
    @AccessesPartialKey
    static AesSivCipher createOrNull(AesSivKey key) throws GeneralSecurityException {
        AesSivParameters parameters = key.getParameters();
        if (parameters.getKeySizeBytes() != AES256_SIV_KEY_BYTES
                || parameters.getVariant() != AesSivParameters.Variant.TINK) {
            return null;
        }
        return new AesSivCipher(key.getKeyBytes().toByteArray(InsecureSecretKeyAccess.get()),
                key.getOutputPrefix().toByteArray());
    }

    /**
     * A cipher of unprefixed ciphertexts under a raw SIV key of 32, 48 or 64 bytes; for the RFC 5297 and
     * Wycheproof test vectors, whose keys are of all three sizes.
     */
    static AesSivCipher forTestVector(byte[] key) throws GeneralSecurityException {
        return new AesSivCipher(key, new byte[0]);
    }

    /** This key bound to one column's {@code associatedData}; build once per column. */
    ColumnKey forAssociatedData(byte[] associatedData) throws GeneralSecurityException {
        // S2V: D = dbl(CMAC(0)) xor CMAC(AD); the last string (the plaintext) is folded in per value
        byte[] d = dbl(cmacOfZero);
        xorInto(d, 0, cmac(associatedData));
        byte[] doubledDWithSubkey1 = dbl(d);
        xorInto(doubledDWithSubkey1, 0, cmacSubkey1);
        return new ColumnKey() {
            @Override
            public byte[] encrypt(byte[] plaintext) throws GeneralSecurityException {
                return AesSivCipher.this.encrypt(plaintext, d, doubledDWithSubkey1);
            }

            @Override
            public byte[] decrypt(byte[] ciphertext) throws GeneralSecurityException {
                return AesSivCipher.this.decrypt(ciphertext, d, doubledDWithSubkey1);
            }
        };
    }

    @Override
    public byte[] encryptDeterministically(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
        return forAssociatedData(associatedData).encrypt(plaintext);
    }

    @Override
    public byte[] decryptDeterministically(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
        return forAssociatedData(associatedData).decrypt(ciphertext);
    }

    /**
     * @param d S2V's D after the associated data
     * @param doubledDWithSubkey1 dbl(D) xor the CMAC K1 subkey: the whole S2V input transform for a
     *                            plaintext shorter than a block, except its padding
     */
    private byte[] encrypt(byte[] plaintext, byte[] d, byte[] doubledDWithSubkey1) throws GeneralSecurityException {
        if (plaintext.length > MAX_PLAINTEXT) {
            throw new GeneralSecurityException("plaintext too long");
        }
        int headerLength = outputPrefix.length + AesBlocks.BLOCK;
        int length = plaintext.length;
        byte[] syntheticIv = s2v(plaintext, d, doubledDWithSubkey1);
        byte[] keystream = keystream(syntheticIv, length);
        byte[] out = new byte[headerLength + length];
        System.arraycopy(outputPrefix, 0, out, 0, outputPrefix.length);
        System.arraycopy(syntheticIv, 0, out, outputPrefix.length, AesBlocks.BLOCK);
        for (int i = 0; i < length; i++) {
            out[headerLength + i] = (byte) (plaintext[i] ^ keystream[i]);
        }
        return out;
    }

    private byte[] decrypt(byte[] ciphertext, byte[] d, byte[] doubledDWithSubkey1) throws GeneralSecurityException {
        int headerLength = outputPrefix.length + AesBlocks.BLOCK;
        if (ciphertext.length < headerLength) {
            throw new GeneralSecurityException("ciphertext too short");
        }
        for (int i = 0; i < outputPrefix.length; i++) {
            if (ciphertext[i] != outputPrefix[i]) throw new GeneralSecurityException("ciphertext of another key");
        }
        byte[] syntheticIv = Arrays.copyOfRange(ciphertext, outputPrefix.length, headerLength);
        int length = ciphertext.length - headerLength;
        byte[] keystream = keystream(syntheticIv, length);
        byte[] plaintext = new byte[length];
        for (int i = 0; i < length; i++) {
            plaintext[i] = (byte) (ciphertext[headerLength + i] ^ keystream[i]);
        }
        byte[] computedIv = s2v(plaintext, d, doubledDWithSubkey1);
        if (!AesBlocks.sameBlockMasked(computedIv, ZERO_BLOCK, syntheticIv, 0)) {
            Arrays.fill(plaintext, (byte) 0);
            throw new AEADBadTagException("integrity check failed");
        }
        return plaintext;
    }

    /**
     * CTR keystream for {@code length} bytes from V: counter blocks Q, Q+1, ... encrypted in one ECB call.
     * Package-private so that a test can compare its counter carries with the JDK's AES/CTR.
     */
    byte[] keystream(byte[] syntheticIv, int length) throws GeneralSecurityException {
        int blocks = (length + AesBlocks.BLOCK - 1) / AesBlocks.BLOCK;
        byte[] counters = new byte[Math.max(blocks, 1) * AesBlocks.BLOCK];
        System.arraycopy(syntheticIv, 0, counters, 0, AesBlocks.BLOCK);
        counters[8] &= 0x7f;
        counters[12] &= 0x7f;
        for (int b = 1; b < blocks; b++) {
            int at = b * AesBlocks.BLOCK;
            System.arraycopy(counters, at - AesBlocks.BLOCK, counters, at, AesBlocks.BLOCK);
            increment(counters, at);
        }
        if (blocks == 0) return counters;
        // out of place: encrypting in place makes the JDK's cipher copy its input and zero the copy (JDK 17)
        byte[] keystream = new byte[counters.length];
        ctrKey.encryptBlocks(counters, 0, counters.length, keystream, 0);
        return keystream;
    }

    /** S2V's last step (the plaintext folded into D) and the CMAC around it, in one buffer: V. */
    private byte[] s2v(byte[] plaintext, byte[] d, byte[] doubledDWithSubkey1) throws GeneralSecurityException {
        int length = plaintext.length;
        byte[] macInput;
        if (length >= AesBlocks.BLOCK) {
            int padded = (length + AesBlocks.BLOCK - 1) / AesBlocks.BLOCK * AesBlocks.BLOCK;
            macInput = new byte[padded];
            System.arraycopy(plaintext, 0, macInput, 0, length);
            xorInto(macInput, length - AesBlocks.BLOCK, d);                // T = P xorend D
            if (length == padded) {
                xorInto(macInput, padded - AesBlocks.BLOCK, cmacSubkey1);
            } else {
                macInput[length] = (byte) 0x80;
                xorInto(macInput, padded - AesBlocks.BLOCK, cmacSubkey2);
            }
        } else {
            macInput = new byte[AesBlocks.BLOCK];                          // T = dbl(D) xor pad(P), a full block
            System.arraycopy(plaintext, 0, macInput, 0, length);
            macInput[length] = (byte) 0x80;
            xorInto(macInput, 0, doubledDWithSubkey1);
        }
        byte[] scratch = new byte[macInput.length];
        byte[] v = new byte[AesBlocks.BLOCK];
        macKey.cbcMac(macInput, scratch, v);
        Arrays.fill(macInput, (byte) 0);
        return v;
    }

    /** AES-CMAC (RFC 4493) under K1 of a message of any length; for the per-column set-up. */
    private byte[] cmac(byte[] message) throws GeneralSecurityException {
        int blocks = Math.max(1, (message.length + AesBlocks.BLOCK - 1) / AesBlocks.BLOCK);
        byte[] input = Arrays.copyOf(message, blocks * AesBlocks.BLOCK);
        if (message.length > 0 && message.length % AesBlocks.BLOCK == 0) {
            xorInto(input, input.length - AesBlocks.BLOCK, cmacSubkey1);
        } else {
            input[message.length] = (byte) 0x80;
            xorInto(input, input.length - AesBlocks.BLOCK, cmacSubkey2);
        }
        byte[] mac = new byte[AesBlocks.BLOCK];
        macKey.cbcMac(input, new byte[input.length], mac);
        return mac;
    }

    /** Doubling in GF(2^128) as RFC 5297 and RFC 4493 define it: shift left, reduce by 0x87 without a branch. */
    static byte[] dbl(byte[] block) {
        byte[] out = new byte[AesBlocks.BLOCK];
        int carry = (block[0] >> 7) & 1;
        for (int i = 0; i < AesBlocks.BLOCK - 1; i++) {
            out[i] = (byte) ((block[i] << 1) | ((block[i + 1] & 0xff) >>> 7));
        }
        out[AesBlocks.BLOCK - 1] = (byte) ((block[AesBlocks.BLOCK - 1] << 1) ^ (0x87 & -carry));
        return out;
    }

    private static void xorInto(byte[] target, int offset, byte[] block) {
        AesBlocks.xorBlockInto(target, offset, block);
    }

    /** Adds one to the 128-bit big-endian counter at {@code offset}, as the JDK's AES/CTR (and so Tink) does. */
    private static void increment(byte[] counter, int offset) {
        for (int i = offset + AesBlocks.BLOCK - 1; i >= offset; i--) {
            if (++counter[i] != 0) return;
        }
    }
}

package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.util.SecretBytes;
import dev.warden.crypto.WycheproofVectors.Vector;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Warden's AES-GCM answers exactly as Tink's and the JDK's: under a given nonce the same ciphertext as the
 * JDK, ciphertexts Tink decrypts, fresh nonces every time, the same plaintext for every valid ciphertext and a
 * failure for every modified one.
 */
class AesGcmCipherTest {
    private static final HexFormat HEX = HexFormat.of();

    static {
        TinkRegistration.ensure();
    }

    /** The GCM specification's test cases 2 and 4 (AES-128), as nonce || ciphertext || tag. */
    @Test
    void encryptsAndDecryptsTheGcmSpecificationVectors() throws Exception {
        assertArrayEquals(HEX.parseHex("0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf"),
                Arrays.copyOfRange(AesGcmCipher.forTestVector(new byte[16])
                        .encryptWithNonceForTest(new byte[16], new byte[12], new byte[0]), 12, 44));
        ColumnKey zeroKey = AesGcmCipher.forTestVector(new byte[16]).forAssociatedData(new byte[0]);
        assertArrayEquals(new byte[16], zeroKey.decrypt(HEX.parseHex(
                "000000000000000000000000" + "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf")));
        assertArrayEquals(new byte[0], zeroKey.decrypt(HEX.parseHex(
                "000000000000000000000000" + "58e2fccefa7e3061367f1d57a4e7455a")));

        AesGcmCipher case4Key = AesGcmCipher.forTestVector(HEX.parseHex("feffe9928665731c6d6a8f9467308308"));
        byte[] case4Ad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        ColumnKey case4 = case4Key.forAssociatedData(case4Ad);
        byte[] plaintext = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] input = HEX.parseHex("cafebabefacedbaddecaf888"
                + "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                + "5bc94fbc3221a5db94fae95ae7121a47");
        assertArrayEquals(plaintext, case4.decrypt(input));
        assertArrayEquals(input, case4Key.encryptWithNonceForTest(plaintext, HEX.parseHex("cafebabefacedbaddecaf888"), case4Ad));
        input[20] ^= 0x40;
        assertThrows(GeneralSecurityException.class, () -> case4.decrypt(input));
    }

    /**
     * Every Wycheproof AES-GCM vector whose parameters this class implements (96-bit nonce, 128-bit tag; AES-128,
     * -192 and -256): a valid one encrypts under its nonce to its ciphertext and tag byte for byte and decrypts
     * to its message, an invalid one (a modified tag) is refused, both through a Tink key of the vector's key
     * bytes (Tink's 5-byte prefix in front, as in production) and as a raw key. A vector with another nonce
     * size is one this class never serves: {@link AesGcmCipher#createOrNull} leaves its key to Tink, and Tink
     * refuses an empty nonce outright.
     */
    @Test
    void answersEveryWycheproofVectorOfTheParametersItImplements() throws Exception {
        int checked = 0;
        int leftToTink = 0;
        for (Vector vector : WycheproofVectors.load("aes_gcm_test.json")) {
            if (vector.ivBits() == 96 && vector.tagBits() == 128) {
                assertAnswersAsWycheproof(vector);
                checked++;
            } else if (vector.ivBits() > 0) {
                assertNull(AesGcmCipher.createOrNull(tinkKey(vector)), vector.label());
                leftToTink++;
            } else {
                assertThrows(GeneralSecurityException.class, () -> tinkKey(vector), vector.label());
            }
        }
        // the file's counts, so that a filter slip cannot silently skip vectors
        assertEquals(197, checked);
        assertEquals(113, leftToTink);
    }

    private static void assertAnswersAsWycheproof(Vector vector) throws GeneralSecurityException {
        AesGcmKey key = tinkKey(vector);
        AesGcmCipher tinkKeyed = AesGcmCipher.createOrNull(key);
        assertNotNull(tinkKeyed, vector.label());
        assertAnswersAsWycheproof(vector, tinkKeyed, key.getOutputPrefix().toByteArray());
        assertAnswersAsWycheproof(vector, AesGcmCipher.forTestVector(vector.key()), new byte[0]);
    }

    private static void assertAnswersAsWycheproof(Vector vector, AesGcmCipher cipher, byte[] prefix)
            throws GeneralSecurityException {
        byte[] sealed = concat(prefix, vector.iv(), vector.ct(), vector.tag());
        String label = vector.label() + (prefix.length == 0 ? ", raw key" : ", Tink key");
        switch (vector.result()) {
            case "valid" -> {
                assertArrayEquals(sealed, cipher.encryptWithNonceForTest(vector.msg(), vector.iv(), vector.aad()), label);
                assertArrayEquals(vector.msg(), cipher.forAssociatedData(vector.aad()).decrypt(sealed), label);
                assertArrayEquals(vector.msg(), cipher.decrypt(sealed, vector.aad()), label);
            }
            case "invalid" -> {
                assertThrows(GeneralSecurityException.class,
                        () -> cipher.forAssociatedData(vector.aad()).decrypt(sealed), label);
                assertThrows(GeneralSecurityException.class, () -> cipher.decrypt(sealed, vector.aad()), label);
            }
            default -> throw new AssertionError(label + ": result " + vector.result() + " has no rule here");
        }
    }

    /** A Tink AES-GCM key (Tink variant, so with an output prefix) of the vector's key bytes and sizes. */
    private static AesGcmKey tinkKey(Vector vector) throws GeneralSecurityException {
        AesGcmParameters parameters = AesGcmParameters.builder()
                .setKeySizeBytes(vector.key().length)
                .setIvSizeBytes(vector.ivBits() / 8)
                .setTagSizeBytes(vector.tagBits() / 8)
                .setVariant(AesGcmParameters.Variant.TINK)
                .build();
        return AesGcmKey.builder()
                .setParameters(parameters)
                .setKeyBytes(SecretBytes.copyFrom(vector.key(), InsecureSecretKeyAccess.get()))
                .setIdRequirement(0x2a5a11ce)
                .build();
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) length += part.length;
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    @Test
    void agreesWithTheJdkOnRandomKeysAssociatedDataAndLengths() throws Exception {
        Random random = new Random(38);
        for (int round = 0; round < 400; round++) {
            // past Ghash.SHORT_BLOCKS blocks too, where GHASH takes Horner's rule
            assertAgreesWithTheJdk(random, round % 2 == 0 ? 32 : 16, random.nextInt(70),
                    random.nextInt(round % 10 == 0 ? 300 : 100));
        }
    }

    @Test
    void longValuesAgreeWithTheJdkWhereTheCounterCarriesIntoItsHigherBytes() throws Exception {
        // 4096 + 17 bytes: the block counter passes 255; 1 MiB + 5: it passes 65535
        Random random = new Random(2024);
        for (int length : new int[] {4064, 4080, 4081, 4096 + 17, (1 << 20) + 5}) {
            assertAgreesWithTheJdk(random, 32, 37, length);
        }
    }

    /** Under one random key, nonce and associated data: the JDK's GCM output is ours, and we decrypt it. */
    private static void assertAgreesWithTheJdk(Random random, int keyLength, int adLength, int length)
            throws GeneralSecurityException {
        byte[] key = new byte[keyLength];
        byte[] nonce = new byte[12];
        byte[] ad = new byte[adLength];
        byte[] plaintext = new byte[length];
        random.nextBytes(key);
        random.nextBytes(nonce);
        random.nextBytes(ad);
        random.nextBytes(plaintext);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        jdk.updateAAD(ad);
        byte[] sealed = jdk.doFinal(plaintext);
        byte[] input = new byte[12 + sealed.length];
        System.arraycopy(nonce, 0, input, 0, 12);
        System.arraycopy(sealed, 0, input, 12, sealed.length);
        String label = "key " + keyLength + ", associated data " + adLength + ", length " + length;
        assertArrayEquals(plaintext, AesGcmCipher.forTestVector(key).forAssociatedData(ad).decrypt(input), label);
        assertArrayEquals(input, AesGcmCipher.forTestVector(key).encryptWithNonceForTest(plaintext, nonce, ad), label);
    }

    @Test
    void tinkAndWardenReadEachOthersCiphertextsAndEveryBitFlipIsRefused() throws Exception {
        Random random = new Random(800);
        for (int round = 0; round < 6; round++) {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            Aead tink = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
            AesGcmCipher ours = AesGcmCipher.createOrNull((AesGcmKey) handle.getAt(0).getKey());
            assertNotNull(ours);
            byte[] ad = ("warden/1:public.t" + round + ".card_number").getBytes(StandardCharsets.UTF_8);
            ColumnKey column = ours.forAssociatedData(ad);
            for (int length = 0; length <= 150; length++) {
                byte[] plaintext = new byte[length];
                random.nextBytes(plaintext);
                byte[] ciphertext = tink.encrypt(plaintext, ad);
                assertArrayEquals(plaintext, column.decrypt(ciphertext), "length " + length);
                assertArrayEquals(plaintext, ours.decrypt(ciphertext, ad));
                byte[] written = column.encrypt(plaintext);
                assertArrayEquals(plaintext, tink.decrypt(written, ad), "length " + length);
                assertArrayEquals(plaintext, column.decrypt(written));
                assertArrayEquals(plaintext, tink.decrypt(ours.encrypt(plaintext, ad), ad));
                if (length % 9 == 0) {
                    CipherAssertions.everyBitFlipIsRefused(column, ciphertext);
                }
            }
        }
    }

    @Test
    void everyEncryptionDrawsAFreshNonceOnEveryThread() throws Exception {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        ColumnKey column = AesGcmCipher.createOrNull((AesGcmKey) handle.getAt(0).getKey())
                .forAssociatedData("warden/1:public.customers.card_number".getBytes(StandardCharsets.UTF_8));
        byte[] plaintext = "4111111111111111".getBytes(StandardCharsets.UTF_8);
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        byte[] ciphertext = column.encrypt(plaintext);
                        assertTrue(nonces.add(HEX.formatHex(ciphertext, 5, 17)), "a nonce came twice");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            threads.shutdownNow();
        }
        assertEquals(20_000, nonces.size());
        // uniqueness alone would miss a nonce with a stuck byte (an offset or length slip): every position varies
        for (int position = 0; position < 12; position++) {
            Set<String> values = new java.util.HashSet<>();
            for (String nonce : nonces) values.add(nonce.substring(2 * position, 2 * position + 2));
            assertTrue(values.size() > 200, "nonce byte " + position + " takes only " + values.size() + " values");
        }
    }

    @Test
    void refusesAnotherColumnAnotherKeyAndShortInput() throws Exception {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        Aead tink = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        AesGcmCipher ours = AesGcmCipher.createOrNull((AesGcmKey) handle.getAt(0).getKey());
        byte[] card = "warden/1:public.customers.card_number".getBytes(StandardCharsets.UTF_8);
        byte[] iban = "warden/1:public.customers.iban".getBytes(StandardCharsets.UTF_8);
        byte[] ciphertext = tink.encrypt("4111111111111111".getBytes(StandardCharsets.UTF_8), card);
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(iban).decrypt(ciphertext));
        byte[] foreign = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class)
                .encrypt("4111111111111111".getBytes(StandardCharsets.UTF_8), card);
        byte[] relabelled = foreign.clone();
        System.arraycopy(ciphertext, 0, relabelled, 0, 5);
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(card).decrypt(foreign));
        assertThrows(GeneralSecurityException.class, () -> ours.forAssociatedData(card).decrypt(relabelled));
        CipherAssertions.everyTruncationIsRefused(ours.forAssociatedData(card), ciphertext, 33);
    }
}

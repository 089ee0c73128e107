package dev.warden.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Warden's AES-GCM decryption answers exactly as Tink's and the JDK's: same plaintext for every valid
 * ciphertext, a failure for every modified one.
 */
class AesGcmDecryptorTest {
    private static final HexFormat HEX = HexFormat.of();

    static {
        TinkRegistration.ensure();
    }

    /** The GCM specification's test cases 2 and 4 (AES-128), as nonce || ciphertext || tag. */
    @Test
    void decryptsTheGcmSpecificationVectors() throws Exception {
        ColumnDecryptor zeroKey = AesGcmDecryptor.forTestVector(new byte[16]).forAssociatedData(new byte[0]);
        assertArrayEquals(new byte[16], zeroKey.decrypt(HEX.parseHex(
                "000000000000000000000000" + "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf")));
        assertArrayEquals(new byte[0], zeroKey.decrypt(HEX.parseHex(
                "000000000000000000000000" + "58e2fccefa7e3061367f1d57a4e7455a")));

        ColumnDecryptor case4 = AesGcmDecryptor.forTestVector(HEX.parseHex("feffe9928665731c6d6a8f9467308308"))
                .forAssociatedData(HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2"));
        byte[] plaintext = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] input = HEX.parseHex("cafebabefacedbaddecaf888"
                + "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                + "5bc94fbc3221a5db94fae95ae7121a47");
        assertArrayEquals(plaintext, case4.decrypt(input));
        input[20] ^= 0x40;
        assertThrows(GeneralSecurityException.class, () -> case4.decrypt(input));
    }

    @Test
    void agreesWithTheJdkOnRandomKeysAssociatedDataAndLengths() throws Exception {
        Random random = new Random(38);
        Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
        for (int round = 0; round < 400; round++) {
            byte[] key = new byte[round % 2 == 0 ? 32 : 16];
            byte[] nonce = new byte[12];
            byte[] ad = new byte[random.nextInt(70)];
            byte[] plaintext = new byte[random.nextInt(100)];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(ad);
            random.nextBytes(plaintext);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            jdk.updateAAD(ad);
            byte[] sealed = jdk.doFinal(plaintext);
            byte[] input = new byte[12 + sealed.length];
            System.arraycopy(nonce, 0, input, 0, 12);
            System.arraycopy(sealed, 0, input, 12, sealed.length);
            assertArrayEquals(plaintext, AesGcmDecryptor.forTestVector(key).forAssociatedData(ad).decrypt(input),
                    "round " + round);
        }
    }

    @Test
    void decryptsWhatTinkEncryptsAndRefusesEveryBitFlip() throws Exception {
        Random random = new Random(800);
        for (int round = 0; round < 6; round++) {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            Aead tink = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
            AesGcmDecryptor ours = AesGcmDecryptor.createOrNull((AesGcmKey) handle.getAt(0).getKey());
            assertNotNull(ours);
            byte[] ad = ("warden/1:public.t" + round + ".card_number").getBytes(StandardCharsets.UTF_8);
            ColumnDecryptor column = ours.forAssociatedData(ad);
            for (int length = 0; length <= 70; length++) {
                byte[] plaintext = new byte[length];
                random.nextBytes(plaintext);
                byte[] ciphertext = tink.encrypt(plaintext, ad);
                assertArrayEquals(plaintext, column.decrypt(ciphertext), "length " + length);
                assertArrayEquals(plaintext, ours.decrypt(ciphertext, ad));
                assertArrayEquals(plaintext, tink.decrypt(ours.encrypt(plaintext, ad), ad));
                if (length % 9 == 0) {
                    DecryptorAssertions.everyBitFlipIsRefused(column, ciphertext);
                }
            }
        }
    }

    @Test
    void refusesAnotherColumnAnotherKeyAndShortInput() throws Exception {
        KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
        Aead tink = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        AesGcmDecryptor ours = AesGcmDecryptor.createOrNull((AesGcmKey) handle.getAt(0).getKey());
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
        DecryptorAssertions.everyTruncationIsRefused(ours.forAssociatedData(card), ciphertext, 33);
    }
}

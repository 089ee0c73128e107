package dev.warden.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On Java 21+ (skipped on 17, which has no virtual threads): a virtual thread per task, as Spring Boot runs
 * requests with {@code spring.threads.virtual.enabled}, encrypts and decrypts correctly through the pooled
 * per-thread state ({@link PerThread}), and GCM nonces stay unique across the pooled generators.
 */
class VirtualThreadCiphersTest {

    @Test
    void aVirtualThreadPerTaskRoundTripsAndNeverRepeatsANonce() throws Exception {
        ExecutorService virtualThreads;
        try {
            virtualThreads = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "no virtual threads in Java " + Runtime.version().feature());
            return;
        }
        WardenKeyset keyset = WardenKeyset.generate();
        ColumnCipher card = keyset.randomized("public.customers.card_number");
        ColumnCipher email = keyset.deterministic("public.customers.email");
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < 5_000; i++) {
                byte[] value = ("customer" + i + "@example.com").getBytes(StandardCharsets.UTF_8);
                done.add(virtualThreads.submit(() -> {
                    byte[] ciphertext = card.encrypt(value);
                    assertArrayEquals(value, card.decrypt(ciphertext));
                    assertArrayEquals(value, email.decrypt(email.encrypt(value)));
                    assertTrue(nonces.add(HexFormat.of().formatHex(ciphertext, 5, 17)), "a nonce came twice");
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            virtualThreads.shutdown();
        }
        assertEquals(5_000, nonces.size());
    }
}

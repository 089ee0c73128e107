package dev.warden.crypto;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Platform threads keep their own instance; pooled (virtual) threads share a pool without ever sharing an instance. */
class PerThreadTest {

    /** Stands for a thread-unsafe cipher: records whether two threads ever use it at once. */
    private static final class Unsafe {
        final AtomicBoolean inUse = new AtomicBoolean();
    }

    @Test
    void aPlatformThreadKeepsItsOwnInstance() throws Exception {
        PerThread<Object> perThread = new PerThread<>(Object::new);   // Java 17: no virtual threads
        Object mine = perThread.acquire();
        perThread.release(mine);
        assertSame(mine, perThread.acquire());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertNotSame(mine, other.submit(perThread::acquire).get());
        } finally {
            other.shutdownNow();
        }
        assertEquals(0, perThread.pooled());
    }

    @Test
    void pooledThreadsReuseReleasedInstancesAndNeverHoldOneTogether() throws Exception {
        AtomicInteger built = new AtomicInteger();
        PerThread<Unsafe> perThread = new PerThread<>(() -> {
            built.incrementAndGet();
            return new Unsafe();
        }, () -> true);
        Unsafe first = perThread.acquire();
        Unsafe second = perThread.acquire();
        assertNotSame(first, second, "held instances are not handed out again");
        perThread.release(first);
        assertSame(first, perThread.acquire(), "a released instance is reused");
        perThread.release(first);
        perThread.release(second);

        Set<Unsafe> seen = ConcurrentHashMap.newKeySet();
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        Unsafe u = perThread.acquire();
                        assertTrue(u.inUse.compareAndSet(false, true), "two threads hold one instance");
                        seen.add(u);
                        u.inUse.set(false);
                        perThread.release(u);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            threads.shutdownNow();
        }
        // at most one per thread holding one, plus one per thread between its release and the pool offer
        assertTrue(built.get() < 20, "about one instance per concurrent user, not one per call: " + built.get());
        assertEquals(seen.size(), built.get());
    }

    @Test
    void thePoolKeepsAtMostItsCap() {
        PerThread<Object> perThread = new PerThread<>(Object::new, () -> true);
        List<Object> held = new ArrayList<>();
        for (int i = 0; i < PerThread.POOL_CAP + 10; i++) held.add(perThread.acquire());
        held.forEach(perThread::release);
        assertEquals(PerThread.POOL_CAP, perThread.pooled());
    }
}

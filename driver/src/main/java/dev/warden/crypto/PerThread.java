package dev.warden.crypto;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One instance of a costly, thread-unsafe object (keyed JCE ciphers, a DRBG) per platform thread, and a shared
 * pool of them for virtual threads (Java 21+). A caller {@link #acquire}s an instance, uses it without
 * blocking, and {@link #release}s it.
 *
 * <p>Why not a plain ThreadLocal: a virtual thread usually lives for one request (Spring Boot's
 * {@code spring.threads.virtual.enabled}, Helidon, a per-task executor), so a ThreadLocal would build its
 * instance for every request: 30–90 µs for a DRBG, 10–25 µs per keyed cipher pair here, more than the
 * statement's whole overhead budget. Virtual threads are not preempted while running this code, so the pool
 * holds about one instance per carrier thread; it is capped anyway. On Java 17 there are no virtual
 * threads and every call takes the ThreadLocal path.
 *
 * <p>Thread-safe. An instance is used by one thread at a time: handed out by the ThreadLocal to its own
 * thread, or taken out of the pool until released.
 */
final class PerThread<T> {
    /** Instances kept for virtual threads; beyond this, released ones are left to the garbage collector. */
    static final int POOL_CAP = 64;

    private static final MethodHandle IS_VIRTUAL = isVirtualMethod();

    private final Supplier<T> factory;
    private final BooleanSupplier pooled;
    private final ThreadLocal<T> platform;
    private final ConcurrentLinkedQueue<T> pool = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooledCount = new AtomicInteger();

    PerThread(Supplier<T> factory) {
        this(factory, PerThread::currentThreadIsVirtual);
    }

    /** @param pooled whether the calling thread takes the pool path (a test seam; normally "is virtual") */
    PerThread(Supplier<T> factory, BooleanSupplier pooled) {
        this.factory = factory;
        this.pooled = pooled;
        this.platform = ThreadLocal.withInitial(factory);
    }

    /** An instance for the calling thread's exclusive use until {@link #release}. */
    T acquire() {
        if (!pooled.getAsBoolean()) return platform.get();
        T instance = pool.poll();
        if (instance == null) return factory.get();
        pooledCount.decrementAndGet();
        return instance;
    }

    /** Gives back what {@link #acquire} gave this thread. */
    void release(T instance) {
        if (!pooled.getAsBoolean()) return;
        if (pooledCount.incrementAndGet() <= POOL_CAP) {
            pool.offer(instance);
        } else {
            pooledCount.decrementAndGet();
        }
    }

    /** Instances waiting in the pool; for tests. */
    int pooled() {
        return pooledCount.get();
    }

    private static boolean currentThreadIsVirtual() {
        if (IS_VIRTUAL == null) return false;
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** {@code Thread.isVirtual()} on Java 21+, null before (compiled for 17, so looked up at run time). */
    private static MethodHandle isVirtualMethod() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}

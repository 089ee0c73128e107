package dev.warden.gateway.auth;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rate-limits authentication failures per remote address: after {@code maxFailures} failures within
 * {@code windowMillis}, further attempts from that address are refused until the window has passed since
 * the last failure. A success clears the address. Thread-safe.
 */
public final class AuthFailureLimiter {

    private record Window(long firstAt, long lastAt, int failures) {}

    private final int maxFailures;
    private final long windowMillis;
    private final ConcurrentHashMap<InetAddress, Window> windows = new ConcurrentHashMap<>();

    public AuthFailureLimiter(int maxFailures, long windowMillis) {
        this.maxFailures = maxFailures;
        this.windowMillis = windowMillis;
    }

    /** True when {@code address} may try to authenticate now. */
    public boolean allows(InetAddress address) {
        Window w = windows.get(address);
        if (w == null) {
            return true;
        }
        long now = System.currentTimeMillis();
        if (now - w.lastAt > windowMillis) {
            windows.remove(address, w);
            return true;
        }
        return w.failures < maxFailures;
    }

    public void failed(InetAddress address) {
        long now = System.currentTimeMillis();
        windows.compute(address, (a, w) -> w == null || now - w.lastAt > windowMillis
                ? new Window(now, now, 1) : new Window(w.firstAt, now, w.failures + 1));
        if (windows.size() > 100_000) {
            windows.entrySet().removeIf(e -> now - e.getValue().lastAt > windowMillis);
        }
    }

    public void succeeded(InetAddress address) {
        windows.remove(address);
    }
}

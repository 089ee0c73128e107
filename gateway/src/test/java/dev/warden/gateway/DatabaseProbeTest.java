package dev.warden.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.warden.gateway.admin.HealthProbe;
import dev.warden.gateway.auth.BackendLogin;
import dev.warden.gateway.auth.GatewayUser;
import dev.warden.gateway.auth.ScramVerifier;
import dev.warden.gateway.wire.PgFrameDecoder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The database health check asks the database at most once per {@link DatabaseProbe#CACHE_NANOS} however often
 * it is scraped, and connects as a login the sessions use: the shared user while some gateway user runs as it,
 * else the first user's own {@code backend-user}.
 */
class DatabaseProbeTest {

    private static final ScramVerifier PW = ScramVerifier.generate("pw".toCharArray(), 4096);

    @Test
    void scrapesWithinTheCacheTimeAskTheDatabaseOnce() {
        AtomicInteger asked = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000);
        DatabaseProbe probe = new DatabaseProbe(() -> {
            asked.incrementAndGet();
            return HealthProbe.Finding.UP;
        }, now::get);
        for (int i = 0; i < 50; i++) {
            assertEquals(HealthProbe.Status.UP, probe.check().status());
            now.addAndGet(DatabaseProbe.CACHE_NANOS / 100);
        }
        assertEquals(1, asked.get(), "fifty scrapes in half the cache time");
        now.addAndGet(DatabaseProbe.CACHE_NANOS);
        probe.check();
        assertEquals(2, asked.get(), "asked again once the finding is old");
    }

    private static GatewayConfig config(String sharedUser, Map<String, GatewayUser> users) {
        return new GatewayConfig("127.0.0.1", 0, new GatewayConfig.Backend("jdbc:postgresql://127.0.0.1:1/app",
                sharedUser, null, 2, Map.of()), null, null, null, false, false,
                PgFrameDecoder.DEFAULT_MAX_MESSAGE_LENGTH, users, "scram-sha-256", 10);
    }

    private static GatewayUser user(String name, String backendUser) {
        GatewayUser u = new GatewayUser(name, PW, "analyst", null, Set.of());
        return backendUser == null ? u : u.withBackendLogin(new BackendLogin(backendUser, "pw-" + backendUser));
    }

    @Test
    void connectsAsALoginTheSessionsUse() {
        assertNull(DatabaseProbe.probeLogin(config("app", Map.of())), "no users: the shared user");
        assertNull(DatabaseProbe.probeLogin(config("app", Map.of("carol", user("carol", null),
                "alice", user("alice", "alice_db")))), "carol runs as the shared user");
        assertEquals("alice_db", DatabaseProbe.probeLogin(config(null, Map.of("bob", user("bob", "bob_db"),
                "alice", user("alice", "alice_db")))).user(), "everyone has a login of their own: the first's");
    }
}

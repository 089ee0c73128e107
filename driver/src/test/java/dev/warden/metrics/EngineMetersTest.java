package dev.warden.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The counters and their Micrometer binding, without an engine. */
class EngineMetersTest {

    private final EngineMeters meters = new EngineMeters("policy.yaml", List.of("SELECT", "INSERT", "OTHER"),
            List.of("42501", "0A000"));

    @Test
    void aKindOrStateOutsideTheListsIsCountedUnderTheLastKindAndOther() {
        meters.statement("SELECT", EngineMeters.Decision.ALLOWED);
        meters.statement(new String("INSERT"), EngineMeters.Decision.FAILED);  // equal, not the same instance
        meters.statement("VACUUM", EngineMeters.Decision.ALLOWED);
        meters.refusal("SELECT", "42501");
        meters.refusal("SELECT", "XX999");
        assertEquals(1, meters.statements("SELECT", EngineMeters.Decision.ALLOWED));
        assertEquals(1, meters.statements("INSERT", EngineMeters.Decision.FAILED));
        assertEquals(1, meters.statements("OTHER", EngineMeters.Decision.ALLOWED));
        assertEquals(2, meters.statements("SELECT", EngineMeters.Decision.REFUSED));
        assertEquals(1, meters.refusals("42501"));
        assertEquals(0, meters.refusals("0A000"));
        assertEquals(1, meters.refusals(EngineMeters.OTHER_STATE));
    }

    @Test
    void theBindingReadsTheCountersWhenScrapedAndRemovesItsMetersWhenClosed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MicrometerBinding binding = MicrometerBinding.bind(meters, registry);
        meters.refusal("INSERT", "0A000");
        meters.guarded(2_000_000);
        meters.encrypted(3);
        meters.readAuditFrom(() -> 7, () -> 40, () -> 2, () -> false);
        assertEquals(1, registry.get("warden.statements").tag("kind", "INSERT").tag("decision", "refused")
                .functionCounter().count());
        assertEquals(1, registry.get("warden.refusals").tag("sqlstate", "0A000").functionCounter().count());
        assertEquals(1, registry.get("warden.overhead").functionTimer().count());
        assertEquals(2.0, registry.get("warden.overhead").functionTimer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
        assertEquals(3, registry.get("warden.values.encrypted").functionCounter().count());
        assertEquals(7, registry.get("warden.audit.queue").gauge().value());
        assertEquals(0, registry.get("warden.audit.healthy").gauge().value());
        assertEquals(40, registry.get("warden.audit.events").tag("outcome", "written").functionCounter().count());
        assertEquals(2, registry.get("warden.audit.events").tag("outcome", "dropped").functionCounter().count());
        assertEquals("policy.yaml", registry.get("warden.values.decrypted").functionCounter().getId().getTag("policy"));
        binding.close();
        assertEquals(0, registry.getMeters().size());
    }

    @Test
    void twoEnginesOnOnePolicyAreToldApartInTheGlobalRegistry() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        String name = "twice-" + System.nanoTime() + ".yaml";
        EngineMeters first = new EngineMeters(name, List.of("SELECT", "OTHER"), List.of("42501"));
        EngineMeters second = new EngineMeters(name, List.of("SELECT", "OTHER"), List.of("42501"));
        try (AutoCloseable a = MetricsExport.publish(first); AutoCloseable b = MetricsExport.publish(second)) {
            first.decrypted();
            second.decrypted();
            second.decrypted();
            assertEquals(1, registry.get("warden.values.decrypted").tag("policy", name).functionCounter().count());
            assertEquals(2, registry.get("warden.values.decrypted").tag("policy", name + " (2)").functionCounter().count());
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(registry);
        }
    }
}

package dev.warden.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Registers an engine's meters in a Micrometer {@link MeterRegistry}: function counters, gauges and a function
 * timer that read {@link EngineMeters} when the registry is scraped, so the statement path never touches
 * Micrometer. The only class of the driver that names a Micrometer type; loaded only when Micrometer is on the
 * classpath (see {@link MetricsExport}). Every meter is tagged {@code policy} with the engine's name (the policy
 * location).
 *
 * <p>{@link #close} removes the meters again (an engine closed, a registry dropped). Thread-safe.
 */
public final class MicrometerBinding implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    private MicrometerBinding(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers {@code engine}'s meters in {@code registry}, tagged {@code policy} with the engine's name. */
    public static MicrometerBinding bind(EngineMeters engine, MeterRegistry registry) {
        return bind(engine, registry, engine.name());
    }

    /**
     * Registers {@code engine}'s meters in {@code registry}, tagged {@code policy} with {@code policyTag}: a registry
     * keeps one meter per name and tags, so two engines on one policy file need two tags to be told apart.
     */
    public static MicrometerBinding bind(EngineMeters engine, MeterRegistry registry, String policyTag) {
        MicrometerBinding binding = new MicrometerBinding(registry);
        binding.register(engine, policyTag);
        return binding;
    }

    private void register(EngineMeters m, String policyTag) {
        Tags policy = Tags.of("policy", policyTag);
        for (String kind : m.kinds()) {
            for (EngineMeters.Decision decision : EngineMeters.Decision.values()) {
                meters.add(FunctionCounter.builder("warden.statements", m, e -> e.statements(kind, decision))
                        .description("Statements the engine guarded, by kind and decision (one per audit event)")
                        .tags(policy).tag("kind", kind).tag("decision", decision.tag()).register(registry));
            }
        }
        for (String state : m.refusalStates()) {
            meters.add(FunctionCounter.builder("warden.refusals", m, e -> e.refusals(state))
                    .description("Statements Warden refused, by SQLState").tags(policy).tag("sqlstate", state)
                    .register(registry));
        }
        meters.add(FunctionTimer.builder("warden.overhead", m, EngineMeters::guardCount, EngineMeters::guardNanos,
                        TimeUnit.NANOSECONDS)
                .description("Time the engine spent making statement texts safe to send (lex, analysis on a cache"
                        + " miss, policy, literal encryption); every guard counted, the time estimated from one in"
                        + " eight after the first 64").tags(policy).register(registry));
        meters.add(FunctionCounter.builder("warden.values.encrypted", m, EngineMeters::valuesEncrypted)
                .description("Values encrypted (parameters and literals of protected columns)").tags(policy)
                .register(registry));
        meters.add(FunctionCounter.builder("warden.values.decrypted", m, EngineMeters::valuesDecrypted)
                .description("Stored values decrypted").tags(policy).register(registry));
        meters.add(FunctionCounter.builder("warden.decrypt.failures", m, EngineMeters::decryptFailures)
                .description("Stored values that could not be decrypted (XX001)").tags(policy).register(registry));
        meters.add(Gauge.builder("warden.audit.queue", m, EngineMeters::auditQueued)
                .description("Audit events waiting to be written").tags(policy).register(registry));
        meters.add(Gauge.builder("warden.audit.healthy", m, e -> e.auditHealthy() ? 1 : 0)
                .description("1 while the audit trail can be written, else 0").tags(policy).register(registry));
        meters.add(FunctionCounter.builder("warden.audit.events", m, EngineMeters::auditWritten)
                .description("Audit events written, or dropped (refused while the trail could not be written, lost"
                        + " at close)").tags(policy).tag("outcome", "written").register(registry));
        meters.add(FunctionCounter.builder("warden.audit.events", m, EngineMeters::auditDropped)
                .description("Audit events written, or dropped (refused while the trail could not be written, lost"
                        + " at close)").tags(policy).tag("outcome", "dropped").register(registry));
        for (EngineMeters.Reloaded what : EngineMeters.Reloaded.values()) {
            String of = what.name().toLowerCase(java.util.Locale.ROOT);
            meters.add(FunctionCounter.builder("warden.reloads", m, e -> e.reloads(what))
                    .description("Keyset and policy files loaded while running, or rejected (the one in use stays)")
                    .tags(policy).tag("of", of).tag("outcome", "reloaded").register(registry));
            meters.add(FunctionCounter.builder("warden.reloads", m, e -> e.rejections(what))
                    .description("Keyset and policy files loaded while running, or rejected (the one in use stays)")
                    .tags(policy).tag("of", of).tag("outcome", "rejected").register(registry));
        }
    }

    /** Removes the meters from the registry. */
    @Override
    public synchronized void close() {
        for (Meter meter : meters) registry.remove(meter);
        meters.clear();
    }
}

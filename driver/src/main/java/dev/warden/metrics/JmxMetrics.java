package dev.warden.metrics;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * An engine's counters as a {@link MetricsMXBean} on the platform MBean server, named
 * {@code dev.warden:type=Metrics,policy="<name>"} (with {@code ,instance=N} added when several engines share a
 * policy). {@link #close} unregisters it. Thread-safe.
 */
public final class JmxMetrics implements MetricsMXBean, AutoCloseable {

    private final EngineMeters meters;
    private final ObjectName objectName;

    private JmxMetrics(EngineMeters meters, ObjectName objectName) {
        this.meters = meters;
        this.objectName = objectName;
    }

    /** The name {@code meters} is registered under when it is the only engine with that name. */
    public static ObjectName objectName(String engineName) {
        return objectName(engineName, 1);
    }

    private static ObjectName objectName(String engineName, int instance) {
        try {
            return new ObjectName("dev.warden:type=Metrics,policy=" + ObjectName.quote(engineName)
                    + (instance == 1 ? "" : ",instance=" + instance));
        } catch (JMException e) {
            throw new IllegalArgumentException("no JMX name for " + engineName, e);
        }
    }

    /** Registers {@code meters} on the platform MBean server. */
    public static JmxMetrics register(EngineMeters meters) throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int instance = 1; ; instance++) {
            JmxMetrics bean = new JmxMetrics(meters, objectName(meters.name(), instance));
            try {
                server.registerMBean(bean, bean.objectName);
                return bean;
            } catch (InstanceAlreadyExistsException taken) {
                // another engine on the same policy (tests open several): the next instance number
            }
        }
    }

    public ObjectName objectName() {
        return objectName;
    }

    @Override
    public void close() {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
        } catch (JMException e) {
            // already gone
        }
    }

    @Override public long getStatementsAllowed() { return meters.statements(EngineMeters.Decision.ALLOWED); }
    @Override public long getStatementsFailed() { return meters.statements(EngineMeters.Decision.FAILED); }
    @Override public long getStatementsRefused() { return meters.statements(EngineMeters.Decision.REFUSED); }

    @Override
    public Map<String, Long> getStatementsByKind() {
        Map<String, Long> byKind = new LinkedHashMap<>();
        for (String kind : meters.kinds()) {
            for (EngineMeters.Decision decision : EngineMeters.Decision.values()) {
                byKind.put(kind + "/" + decision.tag(), meters.statements(kind, decision));
            }
        }
        return byKind;
    }

    @Override public Map<String, Long> getRefusalsBySqlState() { return meters.refusalsByState(); }
    @Override public long getGuardCount() { return meters.guardCount(); }
    @Override public long getGuardNanos() { return meters.guardNanos(); }
    @Override public long getValuesEncrypted() { return meters.valuesEncrypted(); }
    @Override public long getValuesDecrypted() { return meters.valuesDecrypted(); }
    @Override public long getDecryptFailures() { return meters.decryptFailures(); }
    @Override public long getAuditQueueDepth() { return meters.auditQueued(); }
    @Override public long getAuditEventsWritten() { return meters.auditWritten(); }
    @Override public long getAuditEventsDropped() { return meters.auditDropped(); }
    @Override public boolean isAuditHealthy() { return meters.auditHealthy(); }
    @Override public long getKeysetReloads() { return meters.reloads(EngineMeters.Reloaded.KEYSET); }
    @Override public long getKeysetReloadsRejected() { return meters.rejections(EngineMeters.Reloaded.KEYSET); }
    @Override public long getPolicyReloads() { return meters.reloads(EngineMeters.Reloaded.POLICY); }
    @Override public long getPolicyReloadsRejected() { return meters.rejections(EngineMeters.Reloaded.POLICY); }
}

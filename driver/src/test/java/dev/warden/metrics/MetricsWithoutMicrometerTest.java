package dev.warden.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.Test;

/**
 * An application without Micrometer: Warden's metrics classes load and publish the counters as a JMX MXBean,
 * read here the way a JMX console reads them (through the platform MBean server, by name and attribute). The
 * classes run in a class loader that cannot see Micrometer, as in such an application.
 */
class MetricsWithoutMicrometerTest {

    /** Loads Warden's classes itself and refuses io.micrometer; everything else comes from the test's loader. */
    private static final class WithoutMicrometer extends URLClassLoader {
        WithoutMicrometer() {
            super(new URL[] {EngineMeters.class.getProtectionDomain().getCodeSource().getLocation()},
                    MetricsWithoutMicrometerTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.micrometer.")) throw new ClassNotFoundException(name + " (hidden by the test)");
            if (!name.startsWith("dev.warden.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) loaded = findClass(name);
                if (resolve) resolveClass(loaded);
                return loaded;
            }
        }
    }

    @Test
    void countersArePublishedOverJmxWhenMicrometerIsAbsent() throws Exception {
        try (WithoutMicrometer loader = new WithoutMicrometer()) {
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("io.micrometer.core.instrument.Metrics"));
            Class<?> export = loader.loadClass(MetricsExport.class.getName());
            assertFalse((Boolean) export.getMethod("micrometerPresent").invoke(null));

            String name = "policy-without-micrometer-" + System.nanoTime() + ".yaml";
            Class<?> metersClass = loader.loadClass(EngineMeters.class.getName());
            Object meters = metersClass.getConstructor(String.class, List.class, List.class)
                    .newInstance(name, List.of("SELECT", "INSERT", "OTHER"), List.of("42501", "0A000"));
            AutoCloseable published = (AutoCloseable) export.getMethod("publish", metersClass).invoke(null, meters);
            try {
                Class<?> decision = loader.loadClass(EngineMeters.Decision.class.getName());
                Object allowed = decision.getField("ALLOWED").get(null);
                metersClass.getMethod("statement", String.class, decision).invoke(meters, "SELECT", allowed);
                metersClass.getMethod("statement", String.class, decision).invoke(meters, "SELECT", allowed);
                metersClass.getMethod("refusal", String.class, String.class).invoke(meters, "SELECT", "42501");
                metersClass.getMethod("refusal", String.class, String.class).invoke(meters, "OTHER", "57014");
                metersClass.getMethod("decrypted").invoke(meters);
                metersClass.getMethod("guarded", long.class).invoke(meters, 1500L);

                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName bean = new ObjectName("dev.warden:type=Metrics,policy=" + ObjectName.quote(name));
                assertTrue(server.isRegistered(bean), bean + " is registered");
                assertEquals(2L, server.getAttribute(bean, "StatementsAllowed"));
                assertEquals(2L, server.getAttribute(bean, "StatementsRefused"));
                assertEquals(1L, server.getAttribute(bean, "ValuesDecrypted"));
                assertEquals(1L, server.getAttribute(bean, "GuardCount"));
                assertEquals(1500L, server.getAttribute(bean, "GuardNanos"));
                TabularData byState = (TabularData) server.getAttribute(bean, "RefusalsBySqlState");
                assertEquals(1L, valueOf(byState, "42501"));
                assertEquals(0L, valueOf(byState, "0A000"));
                assertEquals(1L, valueOf(byState, "other"));
                TabularData byKind = (TabularData) server.getAttribute(bean, "StatementsByKind");
                assertEquals(2L, valueOf(byKind, "SELECT/allowed"));
                assertEquals(1L, valueOf(byKind, "OTHER/refused"));
            } finally {
                published.close();
            }
            ObjectName bean = new ObjectName("dev.warden:type=Metrics,policy=" + ObjectName.quote(name));
            assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(bean), "unregistered when closed");
        }
    }

    private static long valueOf(TabularData table, String key) {
        CompositeData row = table.get(new Object[] {key});
        return (Long) row.get("value");
    }
}

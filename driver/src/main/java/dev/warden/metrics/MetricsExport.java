package dev.warden.metrics;

/**
 * Publishes an engine's meters where the application can see them: in Micrometer's global registry
 * ({@code Metrics.globalRegistry}) when Micrometer is on the classpath, so they reach every registry the
 * application adds there (Spring Boot adds its own by default; otherwise {@code Metrics.addRegistry(registry)}),
 * and as a JMX MXBean ({@link JmxMetrics}) otherwise. The choice is made once per engine; the Micrometer binding
 * class is not loaded at all when Micrometer is absent.
 */
public final class MetricsExport {

    private static final System.Logger LOG = System.getLogger(MetricsExport.class.getName());
    private static final String MICROMETER = "io.micrometer.core.instrument.Metrics";

    private MetricsExport() {}

    /** Whether Micrometer can be loaded by the class loader that loaded Warden. */
    public static boolean micrometerPresent() {
        try {
            Class.forName(MICROMETER, false, MetricsExport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Publishes {@code meters}; closing the result withdraws them. Never fails: metrics that cannot be published
     * are logged once and the engine runs without them.
     */
    public static AutoCloseable publish(EngineMeters meters) {
        try {
            if (micrometerPresent()) return GlobalRegistry.bind(meters);
            return JmxMetrics.register(meters);
        } catch (Exception | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Warden: metrics of " + meters.name() + " not published: " + e);
            return () -> { };
        }
    }

    /** Holds the one reference to Micrometer's global registry, so that it is resolved only when present. */
    private static final class GlobalRegistry {
        /** The policy tags in use in the global registry: a second engine on one policy gets "path (2)". */
        private static final java.util.Set<String> TAGS = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static AutoCloseable bind(EngineMeters meters) {
            String tag = meters.name();
            for (int instance = 2; !TAGS.add(tag); instance++) tag = meters.name() + " (" + instance + ")";
            String taken = tag;
            MicrometerBinding binding = MicrometerBinding.bind(meters, io.micrometer.core.instrument.Metrics.globalRegistry,
                    taken);
            return () -> {
                binding.close();
                TAGS.remove(taken);
            };
        }
    }
}

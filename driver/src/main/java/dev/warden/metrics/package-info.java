/**
 * Warden's meters: what the engine counts (statements by kind and decision, refusals by SQLState, the time it
 * adds, values encrypted and decrypted, the audit trail's queue and events, keyset and policy reloads) and how
 * they are published. {@link dev.warden.metrics.EngineMeters} holds the counters (LongAdders, nothing looked up
 * per statement); {@link dev.warden.metrics.MetricsExport} publishes them to Micrometer's global registry when
 * Micrometer is on the classpath, and as a JMX MXBean otherwise. Only
 * {@link dev.warden.metrics.MicrometerBinding} names a Micrometer class, and it is loaded only when Micrometer
 * is present: the driver does not require it.
 *
 * <p>A leaf: depends on no other Warden package; the engine records into it.
 */
package dev.warden.metrics;

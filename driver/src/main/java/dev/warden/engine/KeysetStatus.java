package dev.warden.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The state of an engine's keyset for operators and health checks ({@link WardenEngine#keysetStatus}).
 * Holds key ids and file names only, never key material.
 *
 * @param file          the keyset file, or null when the policy encrypts nothing
 * @param checkInterval how often the file is checked for a change; zero: only on
 *                      {@link WardenEngine#reloadKeyset()}
 * @param keys          the keys in use ({@link dev.warden.crypto.WardenKeyset#describeKeys})
 * @param reloads       how many times a changed file was loaded since the engine started
 * @param failures      how many changed contents of the file could not be loaded (each counted once)
 * @param lastError     why the file's current content is not in use, or null when it is
 * @param lastCheck     when the file was last checked, or null before the first check
 */
public record KeysetStatus(Path file, Duration checkInterval, String keys, long reloads, long failures,
                           String lastError, Instant lastCheck) {

    /** True when the keyset in use is what the file holds (as of the last check). */
    public boolean healthy() {
        return lastError == null;
    }
}

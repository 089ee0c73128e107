package dev.warden.policy;

import java.nio.file.Path;

/** Reads and validates a YAML policy; every error names the file, line and rule. */
public final class PolicyLoader {
    private PolicyLoader() {}

    /** {@code location} is a file path or {@code classpath:resource}. */
    public static Policy load(String location) throws PolicyException {
        throw new UnsupportedOperationException("TODO policy");
    }

    /** Parses YAML text; {@code sourceName} is used in messages, {@code baseDir} resolves the keyset path. */
    public static Policy parse(String yaml, String sourceName, Path baseDir) throws PolicyException {
        throw new UnsupportedOperationException("TODO policy");
    }
}

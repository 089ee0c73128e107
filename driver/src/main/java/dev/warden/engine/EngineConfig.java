package dev.warden.engine;

import java.util.Objects;

/**
 * What an engine is built from: the policy location (file path or {@code classpath:resource}) and the master
 * key reference ({@code env:NAME}, {@code file:PATH}, or null for {@code WARDEN_MASTER_KEY}).
 */
public record EngineConfig(String policyLocation, String masterKeyReference) {
    public EngineConfig {
        Objects.requireNonNull(policyLocation, "policyLocation");
    }
}

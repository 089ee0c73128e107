package dev.warden.engine;

import dev.warden.crypto.MasterKey;
import java.util.Objects;

/**
 * What an engine is built from: the policy location (file path or {@code classpath:resource}) and the master
 * key reference ({@code env:NAME}, {@code file:PATH}, {@code pkcs11:URI}, or null for {@code WARDEN_MASTER_KEY}).
 * {@link #toString()} leaves out a PIN the reference may hold.
 */
public record EngineConfig(String policyLocation, String masterKeyReference) {
    public EngineConfig {
        Objects.requireNonNull(policyLocation, "policyLocation");
    }

    @Override
    public String toString() {
        return "EngineConfig[policyLocation=" + policyLocation + ", masterKeyReference="
                + MasterKey.describeReference(masterKeyReference) + "]";
    }
}

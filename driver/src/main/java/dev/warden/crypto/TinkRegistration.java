package dev.warden.crypto;

import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.daead.DeterministicAeadConfig;
import com.google.crypto.tink.mac.MacConfig;
import com.google.crypto.tink.prf.PrfConfig;

import java.security.GeneralSecurityException;

/**
 * Registers the Tink key types this package uses (AEAD, deterministic AEAD, MAC, PRF) with Tink's global
 * registry, exactly once, before any keyset is generated, parsed or turned into a primitive. Registration
 * is idempotent and thread-safe (class initialisation).
 */
final class TinkRegistration {
    static {
        try {
            AeadConfig.register();
            DeterministicAeadConfig.register();
            MacConfig.register();
            PrfConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TinkRegistration() {}

    /** Forces the class (and so the registration) to be initialised; a no-op afterwards. */
    static void ensure() {
        // the static initialiser does the work
    }
}

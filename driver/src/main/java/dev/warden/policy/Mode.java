package dev.warden.policy;

/**
 * The policy's top-level {@code mode:}: whether the engine enforces the policy or only observes what enforcing it
 * would change.
 */
public enum Mode {
    /** Encrypt, mask and refuse as the policy says (the default). */
    ENFORCE,
    /**
     * Analyse every statement as {@link #ENFORCE} would, but run it as the application wrote it and return what the
     * database returns; each statement enforcement would change leaves a {@code would-*} audit event. Protects
     * nothing: for adopting Warden before the data is migrated.
     */
    OBSERVE
}

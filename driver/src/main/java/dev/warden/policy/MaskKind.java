package dev.warden.policy;

/** How a masked value is shown. */
public enum MaskKind {
    /** {@code j***@example.com}: first character of the local part and the domain kept. */
    EMAIL,
    /** Every character but the last four replaced by {@code *}. */
    LAST4,
    /** The whole value replaced by {@code ****}. */
    REDACT,
    /** Shown as SQL NULL. */
    NULL;

    /** The masked form of {@code plaintext} (never null unless this is NULL or plaintext is null). */
    public String apply(String plaintext) {
        throw new UnsupportedOperationException("TODO policy");
    }
}

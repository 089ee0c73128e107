package dev.warden.cli.discover;

/**
 * Recognises one kind of personal data in a column's value ({@code warden discover}). Implementations are pure
 * functions of the value: no state, no I/O, thread-safe. They answer a yes or no and never keep, log or echo the
 * value they were shown.
 */
public interface ValueDetector {

    /** The kind found, as the report and the proposed policy name it: {@code email}, {@code hkid}, ... */
    String kind();

    /** Whether {@code value} (not null, as the database gave it) is one of this kind. */
    boolean matches(String value);
}

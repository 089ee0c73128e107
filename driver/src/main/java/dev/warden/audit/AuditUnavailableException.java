package dev.warden.audit;

/** The audit trail cannot be written, so (fail-closed) the statement must not run. */
public final class AuditUnavailableException extends Exception {
    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

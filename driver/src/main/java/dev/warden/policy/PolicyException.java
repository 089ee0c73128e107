package dev.warden.policy;

/** A policy that cannot be loaded; the message names the file and line and the rule concerned. */
public final class PolicyException extends Exception {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.warden.gateway.admin;

/**
 * One check of {@code GET /health}. Called on the admin listener's thread, one request at a time; may block briefly
 * (a database round trip with a timeout).
 */
public interface HealthProbe {

    /** What is checked, a JSON key: {@code audit}, {@code keyset}, {@code database}. */
    String name();

    /** What the probe finds now. */
    Finding check();

    /**
     * How bad a finding is. {@link #DEGRADED}: something needs an operator, but the gateway serves its clients
     * correctly (a load balancer should keep sending them); {@link #DOWN}: it cannot serve them.
     */
    enum Status { UP, DEGRADED, DOWN }

    /**
     * @param status what the finding means for the gateway's clients
     * @param reason null when up, else why not (no secret, no value: a file, a host, an SQLState, an exception
     *               class and message)
     */
    record Finding(Status status, String reason) {

        public static final Finding UP = new Finding(Status.UP, null);

        public static Finding degraded(String reason) {
            return new Finding(Status.DEGRADED, reason);
        }

        public static Finding down(String reason) {
            return new Finding(Status.DOWN, reason);
        }
    }
}

package dev.warden.gateway.admin;

/**
 * One check of {@code GET /health}: the gateway is healthy while every probe passes. Called on the admin
 * listener's thread, one request at a time; may block briefly (a database round trip with a timeout).
 */
public interface HealthProbe {

    /** What is checked, a JSON key: {@code audit}, {@code keyset}, {@code database}. */
    String name();

    /**
     * @return null when healthy, else why not (no secret, no value: a file, a host, an SQLState, an exception
     *         class and message)
     */
    String problem();
}

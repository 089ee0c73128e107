/**
 * The admin listener ({@code admin: { listen: 127.0.0.1:9187 }} in gateway.yaml): {@code GET /metrics} in
 * Prometheus text format and {@code GET /health}, served by the JDK's HTTP server on a thread of its own, never on
 * the event loops or session threads. Knows nothing of sessions: the server gives it a registry to scrape and
 * the probes to run.
 */
package dev.warden.gateway.admin;

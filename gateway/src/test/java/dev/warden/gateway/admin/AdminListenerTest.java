package dev.warden.gateway.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /health} answers the worst finding of its probes: 200 "up" when all pass, 200 "degraded" when the
 * gateway serves correctly but a check needs an operator (a load balancer keeps it), 503 "down" only when a check
 * says it cannot serve; each check that did not pass gives its reason.
 */
class AdminListenerTest {

    private static HealthProbe probe(String name, HealthProbe.Finding finding) {
        return new HealthProbe() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Finding check() {
                return finding;
            }
        };
    }

    private static HttpResponse<String> health(List<HealthProbe> probes) throws Exception {
        try (AdminListener listener = AdminListener.start(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> "", probes)) {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + listener.port() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    @Test
    void everyCheckUpIs200Up() throws Exception {
        var r = health(List.of(probe("keyset", HealthProbe.Finding.UP), probe("database", HealthProbe.Finding.UP)));
        assertEquals(200, r.statusCode());
        assertEquals("{\"status\":\"up\",\"checks\":{\"keyset\":\"up\",\"database\":\"up\"}}\n", r.body());
    }

    @Test
    void aDegradedCheckIs200DegradedWithItsReason() throws Exception {
        var r = health(List.of(probe("keyset", HealthProbe.Finding.degraded("keyset.json: rejected \"x\"")),
                probe("database", HealthProbe.Finding.UP)));
        assertEquals(200, r.statusCode(), "a load balancer must keep a gateway that serves correctly");
        assertEquals("{\"status\":\"degraded\",\"checks\":{\"keyset\":\"keyset.json: rejected \\\"x\\\"\","
                + "\"database\":\"up\"}}\n", r.body());
    }

    @Test
    void aDownCheckIs503WhateverElseIsDegraded() throws Exception {
        var r = health(List.of(probe("keyset", HealthProbe.Finding.degraded("rejected")),
                probe("database", HealthProbe.Finding.down("cannot connect"))));
        assertEquals(503, r.statusCode());
        assertEquals("{\"status\":\"down\",\"checks\":{\"keyset\":\"rejected\",\"database\":\"cannot connect\"}}\n",
                r.body());
    }
}

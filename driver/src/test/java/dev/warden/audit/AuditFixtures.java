package dev.warden.audit;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Shared test fixtures: a fixed chain key, sample events, trail file helpers. */
final class AuditFixtures {

    static final byte[] KEY_BYTES = "warden-test-audit-hmac-key-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final ChainKey KEY = ChainKey.hmacSha256(KEY_BYTES);

    private AuditFixtures() {}

    static AuditEvent statement(int n) {
        return statement(n, Instant.parse("2026-11-29T10:00:00Z").plusMillis(n), "analyst", "billing",
                Map.of("customers.email", "masked", "customers.ssn", "denied"), "allowed");
    }

    static AuditEvent statement(int n, Instant time, String role, String purpose, Map<String, String> columnsRead,
                                String decision) {
        return new AuditEvent(AuditEvent.STATEMENT, time.truncatedTo(ChronoUnit.MICROS), "ev-" + n, "s-1", "alice",
                role, purpose, "psql", "10.0.0.7", "SELECT", "SELECT email, ssn FROM customers WHERE id = ?", "v1",
                List.of("customers"), columnsRead, List.of(), List.of("customers.id"), 1, decision,
                "refused".equals(decision) ? "rule customers.ssn: role " + role + " denied" : null,
                "refused".equals(decision) ? "42501" : null, 120, List.of("rk" + (n % 3)));
    }

    static AuditSinkConfig config(Path dir, Durability durability) {
        return new AuditSinkConfig(dir.resolve("audit.jsonl"), durability, FailureMode.FAIL_CLOSED, 0, false, 1024,
                Duration.ofMillis(20));
    }

    static List<Path> trailFiles(Path dir) throws IOException {
        return AuditTrailFiles.list(dir, "audit");
    }

    /** Every line of the trail, in order. */
    static List<String> lines(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : trailFiles(dir)) {
            out.addAll(Files.readAllLines(f));
        }
        return out;
    }

    static List<ChainedEvent> events(Path dir) throws IOException {
        return AuditTrailReader.readFiles(trailFiles(dir));
    }

    static void writeTrail(Path dir, int n) throws Exception {
        writeTrail(dir, n, AuditSinkConfig.FORMAT_2);
    }

    /** {@code n} statements and a seal, in trail format {@code format}. */
    static void writeTrail(Path dir, int n, int format) throws Exception {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.ASYNC).withFormat(format), KEY)) {
            for (int i = 1; i <= n; i++) {
                sink.record(statement(i));
            }
        }
    }
}

package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.KEY;
import static dev.warden.audit.AuditFixtures.config;
import static dev.warden.audit.AuditFixtures.events;
import static dev.warden.audit.AuditFixtures.statement;
import static dev.warden.audit.AuditFixtures.trailFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditSinkTest {

    @TempDir
    Path dir;

    private AuditVerification verify() throws Exception {
        return new AuditVerifier(KEY).verify(List.of(dir));
    }

    @Test
    void chainRoundTripVerifiesAndEndsWithASeal() throws Exception {
        AuditFixtures.writeTrail(dir, 100);
        List<ChainedEvent> events = events(dir);
        assertEquals(101, events.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i + 1, events.get(i).seq());
            assertEquals(statement(i + 1), events.get(i).event());
            assertEquals(i == 0 ? "" : events.get(i - 1).hash(), events.get(i).prev());
        }
        assertEquals(AuditEvent.SEAL, events.get(100).event().type());
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertTrue(v.sealed());
        assertTrue(v.findings().isEmpty(), v.render());
        assertEquals("OK: 101 events verified (seq 1..101), trail sealed", v.summary());
    }

    @Test
    void rotationBySizeContinuesTheChainAcrossFiles() throws Exception {
        AuditSinkConfig c = config(dir, Durability.ASYNC).withRotation(4096, false);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY)) {
            for (int i = 1; i <= 200; i++) {
                sink.record(statement(i));
            }
        }
        List<Path> files = trailFiles(dir);
        assertTrue(files.size() > 10, "files: " + files.size());
        for (Path f : files) {
            assertTrue(Files.size(f) <= 4096, f + " " + Files.size(f));
        }
        ChainedEvent lastOfFirst = events(dir).get(Files.readAllLines(files.get(0)).size() - 1);
        ChainedEvent firstOfSecond = AuditLineCodec.parse(Files.readAllLines(files.get(1)).get(0));
        assertEquals(lastOfFirst.hash(), firstOfSecond.prev());
        assertEquals(lastOfFirst.seq() + 1, firstOfSecond.seq());
        AuditVerification v = verify();
        assertTrue(v.ok() && v.findings().isEmpty(), v.render());
        assertEquals(201 + files.size() - 1, v.events()); // and a rotation mark ending each file but the last
        for (Path f : files.subList(0, files.size() - 1)) {
            List<String> lines = Files.readAllLines(f);
            assertEquals(AuditEvent.FILE_ROTATED, AuditLineCodec.parse(lines.get(lines.size() - 1)).event().type());
        }
    }

    @Test
    void dailyRotationStartsANewFileWhenTheUtcDayChanges() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T23:59:59Z"));
        AuditSinkConfig c = config(dir, Durability.SYNC).withRotation(0, true);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY, AuditHealthListener.NONE, clock)) {
            sink.record(statement(1));
            clock.now = Instant.parse("2026-11-30T00:00:01Z");
            sink.record(statement(2));
        }
        List<Path> files = trailFiles(dir);
        assertEquals(2, files.size());
        assertTrue(files.get(0).getFileName().toString().startsWith("audit-20261129-235959-000001"), files.toString());
        assertTrue(files.get(1).getFileName().toString().startsWith("audit-20261130-000001-000002"), files.toString());
        assertTrue(verify().ok());
    }

    @Test
    void restartContinuesTheChainInANewFile() throws Exception {
        AuditFixtures.writeTrail(dir, 5);
        AuditFixtures.writeTrail(dir, 5);
        List<Path> files = trailFiles(dir);
        assertEquals(2, files.size());
        List<ChainedEvent> events = events(dir);
        assertEquals(12, events.size()); // two runs of five plus a seal each
        assertEquals(7, events.get(6).seq());
        assertEquals(events.get(5).hash(), events.get(6).prev());
        AuditVerification v = verify();
        assertTrue(v.ok() && v.findings().isEmpty(), v.render());
    }

    @Test
    void restartAfterACrashWithoutSealWritesAnAlarm() throws Exception {
        AuditFixtures.writeTrail(dir, 3);
        Path f = trailFiles(dir).get(0);
        List<String> lines = Files.readAllLines(f);
        Files.write(f, lines.subList(0, 3)); // as if killed before close: no seal
        AuditFixtures.writeTrail(dir, 1);
        List<ChainedEvent> events = events(dir);
        ChainedEvent alarm = events.get(3);
        assertEquals(AuditEvent.ALARM, alarm.event().type());
        assertTrue(alarm.event().reason().contains("without a seal after seq 3"), alarm.event().reason());
        assertEquals(4, alarm.seq());
        AuditVerification v = verify();
        assertTrue(v.ok(), v.render());
        assertTrue(v.has(AuditVerification.Kind.ALARM));
    }

    @Test
    void restartFindsTheLastEventEvenWhenItIsLongerThanTheTailWindow() throws Exception {
        AuditEvent e = statement(1);
        AuditEvent huge = new AuditEvent(e.type(), e.time(), "huge", e.sessionId(), e.databaseUser(), e.role(),
                e.purpose(), e.client(), e.clientAddress(), e.statementKind(),
                "SELECT " + "x, ".repeat(60_000) + "y FROM t WHERE id = ?", e.policyVersion(), e.tables(),
                e.columnsRead(), e.columnsWritten(), e.columnsFiltered(), e.rows(), e.decision(), e.reason(),
                e.sqlState(), e.durationMicros(), e.rowKeyHashes());
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.SYNC), KEY)) {
            sink.record(statement(1));
            sink.record(huge);
        }
        Path f = trailFiles(dir).get(0);
        List<String> lines = Files.readAllLines(f);
        Files.write(f, lines.subList(0, 2)); // crashed before the seal: the last line is 180 KB
        AuditFixtures.writeTrail(dir, 1);
        List<ChainedEvent> events = events(dir);
        assertEquals(3, events.get(2).seq());
        assertEquals(events.get(1).hash(), events.get(2).prev());
        assertTrue(verify().ok(), verify().render());
    }

    @Test
    void syncRecordIsOnDiskWhenItReturns() throws Exception {
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.SYNC), KEY)) {
            for (int i = 1; i <= 50; i++) {
                sink.record(statement(i));
                List<String> lines = Files.readAllLines(sink.currentFile());
                assertEquals(i, lines.size());
                assertEquals(i, AuditLineCodec.parseHead(lines.get(i - 1).getBytes(StandardCharsets.UTF_8)).seq());
            }
        }
    }

    @Test
    void syncGroupCommitReleasesManyConcurrentCallers() throws Exception {
        int threads = 8;
        int each = 200;
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.SYNC), KEY)) {
            List<Thread> ts = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                ts.add(start(() -> {
                    try {
                        for (int i = 1; i <= each; i++) {
                            sink.record(statement(base + i));
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(null, failure.get());
            assertEquals(threads * each, Files.readAllLines(sink.currentFile()).size());
        }
        assertTrue(verify().ok());
    }

    @Test
    void fullQueueBlocksTheCallerAndLosesNothing() throws Exception {
        AuditSinkConfig c = config(dir, Durability.ASYNC).withQueueCapacity(4);
        int n = 4_000;
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY)) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * (n / 4);
                ts.add(start(() -> {
                    try {
                        for (int i = 1; i <= n / 4; i++) {
                            sink.record(statement(base + i));
                        }
                    } catch (AuditUnavailableException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
        }
        List<ChainedEvent> events = events(dir);
        assertEquals(n + 1, events.size());
        assertEquals(n, events.stream().map(e -> e.event().eventId()).filter(id -> id.startsWith("ev-")).distinct().count());
        assertTrue(verify().ok());
    }

    @Test
    void failClosedRefusesWhileUnwritableAndRecoversWhenWritableAgain() throws Exception {
        Path blocker = dir.resolve("blocked");
        Files.writeString(blocker, "a file where the trail's directory should be");
        AuditSinkConfig c = config(blocker, Durability.SYNC);
        List<Boolean> health = new ArrayList<>();
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY, (h, d) -> health.add(h))) {
            assertFalse(sink.isHealthy());
            AuditUnavailableException e = assertThrows(AuditUnavailableException.class,
                    () -> sink.record(statement(1)));
            assertTrue(e.getMessage().contains(blocker.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("SELECT"), "no event content in the message");
            assertEquals(1, sink.eventsDropped(), "the refused event is counted as dropped (metrics)");
            assertEquals(0, sink.eventsWritten());
            Files.delete(blocker);
            // the sink retries in the background and may create the directory itself first
            Files.createDirectories(blocker);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean recorded = false;
            while (!recorded && System.nanoTime() < deadline) {
                try {
                    sink.record(statement(2));
                    recorded = true;
                } catch (AuditUnavailableException stillDown) {
                    Thread.sleep(10);
                }
            }
            assertTrue(recorded, "recovered within 10 s");
            assertTrue(sink.isHealthy());
            // sync: recorded means written; the outage alarm was written before it
            assertTrue(sink.eventsWritten() >= 2, "written: " + sink.eventsWritten());
            assertEquals(0, sink.queuedEvents());
        }
        assertEquals(List.of(false, true), health);
        List<ChainedEvent> events = events(blocker);
        assertEquals(AuditEvent.ALARM, events.get(0).event().type());
        assertTrue(events.get(0).event().reason().contains("unavailable from"), events.get(0).event().reason());
        assertEquals("ev-2", events.get(1).event().eventId());
        assertTrue(new AuditVerifier(KEY).verify(List.of(blocker)).ok());
    }

    @Test
    void failClosedMidRunRecoversInANewFileWhenTheDirectoryComesBack() throws Exception {
        Path trail = dir.resolve("trail");
        AuditSinkConfig c = config(trail, Durability.SYNC).withRotation(2048, false);
        try (JsonLinesAuditSink sink = new JsonLinesAuditSink(c, KEY)) {
            for (int i = 1; i <= 5; i++) {
                sink.record(statement(i));
            }
            for (Path f : trailFiles(trail)) {
                Files.delete(f);
            }
            Files.delete(trail.resolve("audit.lock"));
            Files.delete(trail);
            Files.writeString(dir.resolve("trail"), "not a directory"); // the new file cannot be created
            int refused = 0;
            for (int i = 6; i <= 20; i++) {
                try {
                    sink.record(statement(i)); // rotation needs a new file within a few events
                } catch (AuditUnavailableException e) {
                    refused++;
                    assertTrue(e.getMessage().contains(trail.toString()), e.getMessage());
                }
            }
            assertTrue(refused > 0);
            assertFalse(sink.isHealthy());
            Files.delete(dir.resolve("trail"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!sink.isHealthy() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(sink.isHealthy());
            sink.record(statement(21));
        }
        List<ChainedEvent> events = events(trail);
        List<String> types = events.stream().map(e -> e.event().type()).toList();
        assertTrue(types.contains(AuditEvent.ALARM), types.toString());
        List<ChainedEvent> statements = events.stream()
                .filter(e -> AuditEvent.STATEMENT.equals(e.event().type())).toList();
        assertEquals("ev-21", statements.get(statements.size() - 1).event().eventId()); // the last one recorded
        assertEquals(AuditEvent.SEAL, events.get(events.size() - 1).event().type());
        AuditVerification v = new AuditVerifier(KEY).verify(List.of(trail));
        assertTrue(v.ok(), v.render()); // earlier files are gone: a warning (starts late) plus the alarms
        assertTrue(v.has(AuditVerification.Kind.STARTS_LATE), v.render());
    }

    @Test
    void recordAfterCloseIsRefused() throws Exception {
        JsonLinesAuditSink sink = new JsonLinesAuditSink(config(dir, Durability.ASYNC), KEY);
        sink.close();
        assertThrows(AuditUnavailableException.class, () -> sink.record(statement(1)));
    }

    @Test
    void asecondSinkOnTheSameTrailIsRefused() throws Exception {
        try (JsonLinesAuditSink first = new JsonLinesAuditSink(config(dir, Durability.ASYNC), KEY);
             JsonLinesAuditSink second = new JsonLinesAuditSink(config(dir, Durability.ASYNC), KEY)) {
            assertTrue(first.isHealthy());
            assertFalse(second.isHealthy());
            assertThrows(AuditUnavailableException.class, () -> second.record(statement(1)));
        } catch (java.io.UncheckedIOException ignored) {
            // the second sink never opened; closing it reports nothing lost, the first closes cleanly
        }
    }

    private static Thread start(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

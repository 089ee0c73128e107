package dev.warden.audit;

import static dev.warden.audit.AuditFixtures.statement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The queue/writer machinery against an in-memory target that fails on demand. */
class BatchingAuditWriterTest {

    /** Keeps what it is given; fails (open and write) while {@link #failing}; can fail once part-way. */
    static class MemoryTarget implements AuditBatchTarget {
        final List<AuditEvent> written = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        volatile int failOnceAfter = -1;
        volatile int forces;
        volatile boolean closed;

        @Override
        public List<AuditEvent> open() throws IOException {
            if (failing) {
                throw new IOException("/var/audit: No space left on device");
            }
            return List.of();
        }

        @Override
        public void write(List<AuditEvent> events) throws PartialWriteException {
            if (failing) {
                throw new PartialWriteException(0, new IOException("/var/audit: No space left on device"));
            }
            int k = failOnceAfter;
            if (k >= 0 && events.size() > k) {
                failOnceAfter = -1;
                written.addAll(events.subList(0, k));
                throw new PartialWriteException(k, new IOException("/var/audit: interrupted write"));
            }
            written.addAll(events);
        }

        @Override
        public void force() {
            forces++;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String describe() {
            return "/var/audit";
        }

        List<String> ids() {
            return written.stream().map(e -> e.type().equals(AuditEvent.STATEMENT) ? e.eventId() : e.type()).toList();
        }
    }

    private static BatchingAuditWriter writer(MemoryTarget t, Durability d, FailureMode f, int capacity,
                                              List<Boolean> health) {
        return new BatchingAuditWriter(t, d, f, capacity, Duration.ofMillis(10), Clock.systemUTC(),
                (h, detail) -> health.add(h), "test-writer");
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within 10 s");
            Thread.sleep(5);
        }
    }

    private static List<String> expectedIds(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            ids.add("ev-" + i);
        }
        return ids;
    }

    /** A target whose writes end in an Error, as a full heap ends the writer's allocation. */
    static final class DyingTarget extends MemoryTarget {
        volatile boolean dying;

        @Override
        public void write(List<AuditEvent> events) throws PartialWriteException {
            if (dying) {
                throw new OutOfMemoryError("Java heap space");
            }
            super.write(events);
        }
    }

    @Test
    void aWriterThreadKilledByAnErrorRefusesEveryLaterRecordInEitherFailureMode() throws Exception {
        for (FailureMode mode : FailureMode.values()) {
            for (Durability durability : Durability.values()) {
                DyingTarget t = new DyingTarget();
                List<Boolean> health = new CopyOnWriteArrayList<>();
                BatchingAuditWriter w = writer(t, durability, mode, 1024, health);
                w.record(statement(1));
                await(() -> t.written.size() == 1);
                assertFalse(w.stopped());
                t.dying = true;
                try {
                    w.record(statement(2)); // the batch that kills the writer (a sync caller learns it)
                } catch (AuditUnavailableException expected) {
                    // sync durability: the caller's own event was not written
                }
                await(w::stopped);
                assertFalse(w.healthy(), mode + " " + durability);
                AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> w.record(statement(3)),
                        mode + " " + durability);
                assertTrue(e.getMessage().contains("writer thread has stopped"), e.getMessage());
                // the flags are set before the listener is told (no allocation first), so wait for it too
                await(() -> !health.isEmpty());
                assertEquals(List.of(false), health, "the listener is told once");
                assertThrows(RuntimeException.class, w::close, "close reports what could not be written");
            }
        }
    }

    @Test
    void failOpenKeepsAcceptingDuringAnOutageAndWritesAnAlarmBeforeTheDelayedEvents() throws Exception {
        MemoryTarget t = new MemoryTarget();
        List<Boolean> health = new CopyOnWriteArrayList<>();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_OPEN, 1024, health);
        w.record(statement(1));
        await(() -> t.written.size() == 1);
        t.failing = true;
        for (int i = 2; i <= 101; i++) {
            w.record(statement(i)); // never throws in fail-open
        }
        await(() -> !w.healthy());
        assertEquals(List.of(false), health);
        t.failing = false;
        await(() -> t.written.size() == 102);
        assertTrue(w.healthy());
        w.close();
        List<String> ids = t.ids();
        assertEquals("ev-1", ids.get(0));
        assertEquals(AuditEvent.ALARM, ids.get(1));
        String reason = t.written.get(1).reason();
        assertTrue(reason.startsWith("audit trail was unavailable from "), reason);
        assertTrue(reason.contains("No space left on device") && reason.contains("fail-open"), reason);
        assertEquals(expectedIds(2, 101), ids.subList(2, 102));
        assertEquals(AuditEvent.SEAL, ids.get(102));
        assertEquals(List.of(false, true), health);
    }

    @Test
    void failOpenBlocksOnlyWhenItsBoundedBufferIsFullAndNeverDrops() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_OPEN, 4, new ArrayList<>());
        t.failing = true;
        int n = 4 + BatchingAuditWriter.MAX_BATCH + 4 + 100; // more than the outage buffer and the queue
        Thread producer = new Thread(() -> {
            try {
                for (int i = 1; i <= n; i++) {
                    w.record(statement(i));
                }
            } catch (AuditUnavailableException e) {
                throw new AssertionError(e);
            }
        });
        producer.start();
        Thread.sleep(300);
        assertTrue(producer.isAlive(), "blocked by backpressure");
        t.failing = false;
        producer.join(10_000);
        assertFalse(producer.isAlive());
        w.close();
        List<String> ids = t.ids();
        assertEquals(AuditEvent.ALARM, ids.get(0));
        assertEquals(expectedIds(1, n), ids.subList(1, n + 1));
    }

    @Test
    void failClosedSyncCallerIsToldWhenItsBatchFailsAndTheEventIsStillWrittenLater() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.SYNC, FailureMode.FAIL_CLOSED, 16, new ArrayList<>());
        w.record(statement(1));
        assertEquals(1, t.written.size());
        assertTrue(t.forces >= 1);
        t.failing = true;
        AuditUnavailableException e = assertThrows(AuditUnavailableException.class, () -> w.record(statement(2)));
        assertEquals("audit trail unavailable: /var/audit: IOException: /var/audit: No space left on device",
                e.getMessage());
        // while down, new records are refused at once
        assertThrows(AuditUnavailableException.class, () -> w.record(statement(3)));
        t.failing = false;
        await(w::healthy);
        w.record(statement(4));
        w.close();
        List<String> ids = t.ids();
        assertEquals(List.of("ev-1", AuditEvent.ALARM, "ev-2", "ev-4", AuditEvent.SEAL), ids);
        assertTrue(t.written.get(1).reason().contains("1 records refused (fail-closed)"), t.written.get(1).reason());
    }

    @Test
    void failOpenSyncCallerGoesOnDuringAnOutage() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.SYNC, FailureMode.FAIL_OPEN, 16, new ArrayList<>());
        t.failing = true;
        w.record(statement(1)); // returns although not durable
        w.record(statement(2));
        t.failing = false;
        await(() -> t.written.size() == 3);
        w.close();
        assertEquals(List.of(AuditEvent.ALARM, "ev-1", "ev-2", AuditEvent.SEAL), t.ids());
    }

    @Test
    void partialWriteRetriesOnlyWhatWasNotWritten() throws Exception {
        MemoryTarget t = new MemoryTarget();
        t.failing = true; // hold the batch until it is large
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_OPEN, 64, new ArrayList<>());
        for (int i = 1; i <= 10; i++) {
            w.record(statement(i));
        }
        t.failOnceAfter = 4; // the alarm and three events, then a failure
        t.failing = false;
        await(() -> t.written.size() >= 12);
        w.close();
        List<String> ids = t.ids();
        List<String> statements = ids.stream().filter(id -> id.startsWith("ev-")).toList();
        assertEquals(expectedIds(1, 10), statements, ids.toString());
    }

    @Test
    void closeWritesEverythingQueuedThenTheSeal() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_CLOSED, 10_000, new ArrayList<>());
        for (int i = 1; i <= 5000; i++) {
            w.record(statement(i));
        }
        w.close();
        assertEquals(5001, t.written.size());
        assertEquals(AuditEvent.SEAL, t.ids().get(5000));
        assertTrue(t.closed);
    }

    /** A target whose storage stops answering: each call then hangs, as a connection to a stopped database may. */
    static final class HangingTarget extends MemoryTarget {
        volatile boolean hanging;

        @Override
        public List<AuditEvent> open() throws IOException {
            hang();
            return super.open();
        }

        @Override
        public void write(List<AuditEvent> events) throws PartialWriteException {
            hang();
            super.write(events);
        }

        private void hang() {
            while (hanging) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void closeGivesUpFastWhenTheStorageStopsAnsweringAndSaysWhatWasNotWritten() throws Exception {
        HangingTarget t = new HangingTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_CLOSED, 64, new ArrayList<>());
        w.record(statement(1));
        await(() -> t.written.size() == 1);
        t.hanging = true; // the database is gone: the next batch and the seal never come back
        w.record(statement(2));
        w.record(statement(3));
        long start = System.nanoTime();
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> w.close(Duration.ofMillis(300)));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMillis < 3_000, "gave up after " + tookMillis + " ms");
        assertTrue(e.getMessage().contains("gave up sealing after 300 ms without progress"), e.getMessage());
        assertTrue(e.getMessage().contains("trail not sealed"), e.getMessage());
        assertEquals(List.of("ev-1"), t.ids(), "nothing more was written, and no seal");
        t.hanging = false;
    }

    @Test
    void closeWithALimitStillWritesAStorageThatAnswersAndSeals() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_CLOSED, 64, new ArrayList<>());
        for (int i = 1; i <= 20; i++) {
            w.record(statement(i));
        }
        w.close(Duration.ofMillis(300));
        List<String> expected = new ArrayList<>(expectedIds(1, 20));
        expected.add(AuditEvent.SEAL);
        assertEquals(expected, t.ids());
    }

    @Test
    void closeWhileTheTargetStillFailsSaysHowManyEventsWereNotWritten() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_OPEN, 64, new ArrayList<>());
        t.failing = true;
        for (int i = 1; i <= 3; i++) {
            w.record(statement(i));
        }
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, w::close);
        assertTrue(e.getMessage().contains("3 events not written"), e.getMessage());
    }

    @Test
    void anEventTheWriterCouldNotSerialiseIsRefusedToItsCallerAndDoesNotStallTheTrail() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.SYNC, FailureMode.FAIL_CLOSED, 16, new ArrayList<>());
        java.util.Map<String, String> withNullKey = new java.util.HashMap<>();
        withNullKey.put(null, "plaintext");
        AuditEvent bad = AuditFixtures.statement(1, java.time.Instant.now(), "r", "p", withNullKey, "allowed");
        assertThrows(IllegalArgumentException.class, () -> w.record(bad));
        w.record(statement(2));
        w.close();
        assertEquals(List.of("ev-2", AuditEvent.SEAL), t.ids());
    }

    @Test
    void asyncWritesAreForcedWithinTheFlushInterval() throws Exception {
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_CLOSED, 64, new ArrayList<>());
        w.record(statement(1));
        await(() -> t.forces >= 1);
        w.close();
    }

    @Test
    void aSteadyStreamIsWrittenInOrderAndForcedAndAPauseOrAnOutageDoesNotLoseItsNextEvents() throws Exception {
        // the async writer follows a steady stream on its own timer: every event still written once, in order,
        // forced within the interval; after a pause (back to waiting on the queue) and across an outage
        MemoryTarget t = new MemoryTarget();
        BatchingAuditWriter w = writer(t, Durability.ASYNC, FailureMode.FAIL_OPEN, 1024, new ArrayList<>());
        int n = 0;
        for (int ms = 0; ms < 60; ms++) {
            for (int i = 0; i < 5; i++) {
                w.record(statement(++n));
            }
            Thread.sleep(1);
        }
        int streamed = n;
        await(() -> t.written.size() == streamed);
        await(() -> t.forces >= 1);
        Thread.sleep(50); // a pause: the writer goes back to waiting on the queue
        w.record(statement(++n));
        int afterPause = n;
        await(() -> t.written.size() == afterPause);
        t.failing = true;
        for (int i = 0; i < 20; i++) {
            w.record(statement(++n));
            Thread.sleep(1);
        }
        t.failing = false;
        int total = n;
        await(() -> t.ids().stream().filter(id -> id.startsWith("ev-")).count() == total);
        w.close();
        assertEquals(expectedIds(1, total), t.ids().stream().filter(id -> id.startsWith("ev-")).toList());
    }
}

package dev.warden.gateway.session;

import dev.warden.gateway.wire.ClientOutput;
import dev.warden.gateway.wire.PgFrame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * COPY FROM STDIN flow control between the event loop ({@link QueuedCopyInput#offer}) and the session's worker
 * ({@link QueuedCopyInput#take}): reading pauses above the high mark, resumes below the low mark, and is never
 * left paused with nothing queued, however the two threads interleave.
 */
class QueuedCopyInputTest {

    static PgFrame data(int size) {
        return new PgFrame((byte) 'd', new byte[size]);
    }

    @Test
    void pausesAboveTheHighMarkAndResumesBelowTheLowMark() throws Exception {
        AtomicBoolean reading = new AtomicBoolean(true);
        QueuedCopyInput input = new QueuedCopyInput(reading::set, 100, 40);
        input.begin();
        input.offer(data(60));
        assertTrue(reading.get());
        input.offer(data(60));
        assertFalse(reading.get(), "120 bytes queued, above 100");
        input.take();
        assertFalse(reading.get(), "60 bytes queued, not below 40 yet");
        input.take();
        assertTrue(reading.get(), "nothing queued");
        input.offer(data(200));
        assertFalse(reading.get());
        input.end();
        assertTrue(reading.get(), "the end of a COPY always resumes reading");
    }

    @Test
    void copyMessagesOutsideACopyAreIgnoredAndAGoneClientEndsTheWait() {
        AtomicBoolean reading = new AtomicBoolean(true);
        QueuedCopyInput input = new QueuedCopyInput(reading::set, 100, 40);
        input.offer(data(500));
        assertTrue(reading.get());
        input.begin();
        input.clientGone();
        assertThrows(ClientOutput.ClientGoneException.class, input::take);
    }

    /**
     * The event loop offers only while reading is on (a paused socket delivers nothing); every message is above
     * the high mark on its own, as psycopg2's 20 MB CopyData are, so each one pauses reading and wakes the
     * waiting worker at once. Reading left paused with the queue drained would stop this with a timeout.
     */
    @Test
    void neverLeftPausedWithNothingQueuedWhateverTheInterleaving() throws Exception {
        int messages = 100_000;
        AtomicBoolean reading = new AtomicBoolean(true);
        QueuedCopyInput input = new QueuedCopyInput(reading::set, 100, 40);
        input.begin();
        CompletableFuture<Void> eventLoop = CompletableFuture.runAsync(() -> {
            PgFrame big = data(101);
            for (int i = 0; i < messages; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!reading.get()) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("reading paused for good after message " + i);
                    }
                    Thread.onSpinWait();
                }
                input.offer(big);
            }
            input.offer(new PgFrame((byte) 'c', new byte[0]));
        });
        CompletableFuture<Integer> worker = CompletableFuture.supplyAsync(() -> {
            int taken = 0;
            try {
                while (input.take().type() != 'c') {
                    taken++;
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            return taken;
        });
        eventLoop.get(30, TimeUnit.SECONDS);
        int taken = worker.get(5, TimeUnit.SECONDS);
        assertEquals(messages, taken);
    }
}

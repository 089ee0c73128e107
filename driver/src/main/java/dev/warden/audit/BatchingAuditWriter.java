package dev.warden.audit;

import dev.warden.audit.AuditBatchTarget.PartialWriteException;
import dev.warden.audit.AuditSinkConfig.Durability;
import dev.warden.audit.AuditSinkConfig.FailureMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The queue and writer thread shared by the sinks: {@link #record} puts the event on a bounded queue (a few
 * hundred nanoseconds); one daemon thread drains it in batches of up to {@value #MAX_BATCH} into an
 * {@link AuditBatchTarget}.
 *
 * <ul>
 *   <li>Async durability: each batch is written as soon as it is taken; the target is forced at most every
 *   flush interval while there are unforced writes.
 *   <li>Sync durability (group commit): a caller waits until its event's batch is written and forced; one force
 *   releases every caller of the batch.
 *   <li>Backpressure: a full queue makes {@code record} wait; nothing is ever dropped.
 *   <li>Failure: the batch being written is kept and retried (the target reopened) with backoff, sooner when
 *   {@code record} is called. Fail-closed: {@code record} throws {@link AuditUnavailableException} while
 *   unhealthy (and a sync caller whose batch failed gets it too). Fail-open: {@code record} queues (and blocks
 *   once the queue is full); sync callers whose batch failed return without durability. On recovery an
 *   {@code alarm} event saying how long the trail was unavailable, why, and how many events were delayed or
 *   refused is written before the delayed events.
 *   <li>Close: refuses new records, writes what is queued, then the {@code seal} event, forces and closes.
 *   <li>Writer death: should the writer thread end on anything else (an {@link OutOfMemoryError}, a bug),
 *   nothing will ever write again, so {@code record} throws {@link AuditUnavailableException} from then on,
 *   in either failure mode, and waiting sync callers are released with it. The flag that says so is set
 *   without allocating, so that even a heap too full to build a message cannot leave the writer dead and
 *   the trail looking healthy.
 * </ul>
 *
 * <p>Thread-safe: {@code record} may be called from any number of threads.
 */
final class BatchingAuditWriter {

    static final int MAX_BATCH = 512;
    private static final long MIN_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * In async durability, how long the writer lets events gather after the first one arrives. While it
     * lingers it waits on no condition, so a statement's offer() wakes no thread: on a small machine a
     * wake-up, a write call and a MAC per statement cost more than the statement's own overhead budget.
     * 5 ms rather than 2: at 2,000–15,000 statements a second the writer's CPU per event is mostly what it pays
     * per wake-up (benchmarks/README.md, "The audit trail"). Lingering only delays when an event reaches the
     * file, never what a statement sees (async callers never wait for the writer), and is cut short when the
     * file is due to be forced ({@link #lingerNanos}).
     */
    private static final long ASYNC_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final AuditBatchTarget target;
    private final boolean sync;
    private final boolean failClosed;
    private final long flushNanos;
    private final Clock clock;
    private final AuditHealthListener listener;
    private final ArrayBlockingQueue<Object> queue;
    private final Thread writer;
    /** Records between their closing check and their enqueue; the writer waits for none before sealing. */
    private final AtomicInteger entering = new AtomicInteger();
    private final AtomicLong refusedDuringOutage = new AtomicLong();
    /** Events handed over that will never be written: refused during an outage or after the writer died, lost at close. */
    private final AtomicLong dropped = new AtomicLong();
    /** Events written to the target (preamble and alarms included); advanced by the writer thread only. */
    private volatile long written;

    private volatile boolean closing;
    private volatile boolean healthy = true;
    /** Set once when the writer thread has ended without a clean close; never cleared. */
    private volatile boolean dead;
    private volatile String unhealthyDetail;
    private volatile IOException closeFailure;

    // writer-thread state
    private final List<Object> pending = new ArrayList<>(MAX_BATCH);
    private final List<AuditEvent> preamble = new ArrayList<>();
    private boolean opened;
    private boolean dirty;
    private long lastForceNanos;
    private Instant outageStart;
    private long retryNanos = MIN_RETRY_NANOS;
    private IOException lastFailure;
    private final int outageCapacity;

    /** A sync caller waiting for its event to be forced. */
    private static final class Waiter {
        final AuditEvent event;
        final Thread caller = Thread.currentThread();
        volatile int state; // 0 waiting, 1 durable, 2 failed
        volatile IOException failure;

        Waiter(AuditEvent event) {
            this.event = event;
        }
    }

    BatchingAuditWriter(AuditBatchTarget target, Durability durability, FailureMode onFailure, int queueCapacity,
                        Duration flushInterval, Clock clock, AuditHealthListener listener, String threadName) {
        this.target = target;
        this.sync = durability == Durability.SYNC;
        this.failClosed = onFailure == FailureMode.FAIL_CLOSED;
        this.flushNanos = flushInterval.toNanos();
        this.clock = clock;
        this.listener = listener == null ? AuditHealthListener.NONE : listener;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.outageCapacity = queueCapacity + MAX_BATCH;
        // Open in the caller's thread so that a trail unwritable from the start refuses the first record.
        if (!reopen()) {
            healthy = false;
            outageStart = clock.instant();
            lastFailure = new IOException(unhealthyDetail);
            this.listener.healthChanged(false, unhealthyDetail);
        }
        this.writer = new Thread(this::run, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    boolean healthy() {
        return healthy && !dead;
    }

    /** True once the writer thread has ended without a clean close: no record will ever be written. */
    boolean stopped() {
        return dead;
    }

    /** Events waiting in the queue (not yet taken by the writer). */
    int queued() {
        return queue.size();
    }

    /** Events written to the target since it opened (statements, engine events, alarms and seals). */
    long written() {
        return written;
    }

    /** Events handed over that were refused (outage, stopped writer) or lost at close: never to be written. */
    long dropped() {
        return dropped.get();
    }

    void record(AuditEvent event) throws AuditUnavailableException {
        checkWritable(event);
        entering.incrementAndGet();
        Waiter waiter = null;
        try {
            if (closing) {
                throw new AuditUnavailableException("audit trail " + target.describe() + " is closed", null);
            }
            if (dead) {
                throw writerStopped();
            }
            if (failClosed && !healthy) {
                refuse();
            }
            Object item = event;
            if (sync) {
                waiter = new Waiter(event);
                item = waiter;
            }
            if (!queue.offer(item)) {
                enqueueSlowly(item);
            }
        } finally {
            entering.decrementAndGet();
        }
        if (waiter != null) {
            awaitDurable(waiter);
        }
    }

    /** An event the writer could not serialise would stall the trail: refuse it here, to its caller. */
    private static void checkWritable(AuditEvent event) {
        if (event == null || event.type() == null) {
            throw new IllegalArgumentException("an audit event needs a type");
        }
        // isEmpty first: an INSERT reads no column, and an iterator per statement showed in its profile
        if (event.columnsRead() != null && !event.columnsRead().isEmpty()) {
            for (String column : event.columnsRead().keySet()) {
                if (column == null) {
                    throw new IllegalArgumentException("columnsRead has a null column name");
                }
            }
        }
    }

    private void enqueueSlowly(Object item) throws AuditUnavailableException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (queue.offer(item, 10, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    // keep waiting: dropping the event is not an option; restore the flag afterwards
                    interrupted = true;
                }
                if (closing) {
                    throw new AuditUnavailableException("audit trail " + target.describe() + " is closed", null);
                }
                if (dead) {
                    throw writerStopped();
                }
                if (failClosed && !healthy) {
                    refuse();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void refuse() throws AuditUnavailableException {
        refusedDuringOutage.incrementAndGet();
        dropped.incrementAndGet();
        LockSupport.unpark(writer); // a record is a reason to retry now
        throw new AuditUnavailableException("audit trail unavailable: " + unhealthyDetail, null);
    }

    private AuditUnavailableException writerStopped() {
        refusedDuringOutage.incrementAndGet();
        dropped.incrementAndGet();
        return new AuditUnavailableException("audit trail " + target.describe() + ": the writer thread has stopped ("
                + unhealthyDetail + "); nothing more can be written", null);
    }

    private void awaitDurable(Waiter w) throws AuditUnavailableException {
        boolean interrupted = false;
        while (w.state == 0) {
            if (dead) {
                // the writer ended before it could tell this caller: its event will never be written
                if (interrupted) Thread.currentThread().interrupt();
                throw writerStopped();
            }
            LockSupport.parkNanos(this, IDLE_POLL_NANOS);
            if (Thread.interrupted()) {
                interrupted = true; // the event is already queued: wait for its outcome anyway
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (w.state == 2 && failClosed) {
            IOException f = w.failure;
            throw new AuditUnavailableException("audit trail unavailable: " + describe(f), f);
        }
    }

    /** Stops taking records, writes everything queued and the seal, and closes the target. */
    void close() {
        close(null);
    }

    /**
     * {@link #close()}, giving up once the writer has written nothing for {@code stalled} (null: never): its target
     * is gone (a database stopped before this JVM's exit) or hangs, and waiting longer would only hold the caller.
     * The writer thread (a daemon) is left to its last attempt; what was not written is counted as dropped, logged
     * and thrown.
     */
    void close(Duration stalled) {
        closing = true;
        LockSupport.unpark(writer);
        long limit = stalled == null ? Long.MAX_VALUE : stalled.toNanos();
        long progressAt = System.nanoTime();
        long progress = written;
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join(50);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (written != progress) {
                progress = written;
                progressAt = System.nanoTime();
            } else if (writer.isAlive() && System.nanoTime() - progressAt > limit) {
                abandon(stalled);
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        IOException failure = closeFailure;
        if (failure != null) {
            throw new UncheckedIOException("audit trail " + target.describe() + " could not be completed and sealed: "
                    + describe(failure), failure);
        }
    }

    private static final System.Logger LOG = System.getLogger("dev.warden.audit");

    private void abandon(Duration stalled) {
        int queued = queue.size();
        dropped.addAndGet(queued);
        IOException failure = new IOException("gave up sealing after " + stalled.toMillis() + " ms without progress ("
                + (unhealthyDetail != null ? unhealthyDetail : "no answer") + "): the batch being written and "
                + queued + " queued events not written, trail not sealed");
        closeFailure = failure;
        LOG.log(System.Logger.Level.WARNING, "Warden: audit trail " + target.describe() + ": " + failure.getMessage());
    }

    // ---------------------------------------------------------------- writer thread

    private void run() {
        boolean ended = false;
        try {
            loop();
            ended = true;
        } catch (Throwable e) {
            // first the flags (no allocation: the heap may be full), then what can be said about it
            dead = true;
            healthy = false;
            try {
                closeFailure = new IOException("audit writer thread failed: " + e, e);
                unhealthyDetail = target.describe() + ": writer thread failed: " + e.getClass().getName();
                releaseAll(pending, closeFailure);
                listener.healthChanged(false, unhealthyDetail);
            } catch (Throwable ignored) {
                // nothing more can be done on this thread; record() refuses on the flag alone
            }
        } finally {
            if (!ended) {
                dead = true;
                healthy = false;
            }
        }
    }

    private void loop() {
        try {
            while (true) {
                if (!pending.isEmpty() || !preamble.isEmpty() || !healthy) {
                    if (!healthy) {
                        absorbQueue();
                        if (!closing) {
                            LockSupport.parkNanos(this, retryNanos);
                            retryNanos = Math.min(MAX_RETRY_NANOS, retryNanos * 2);
                        }
                    }
                    boolean done = attempt();
                    if (!done && closing) {
                        giveUp();
                        return;
                    }
                    continue;
                }
                // idle polls are short so that close() is noticed quickly (unpark does not end a poll)
                long wait = sync || !dirty ? IDLE_POLL_NANOS : Math.min(IDLE_POLL_NANOS, remainingFlushNanos());
                Object first = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (first != null) {
                    pending.add(first);
                    if (!sync && !closing) LockSupport.parkNanos(this, lingerNanos());
                    queue.drainTo(pending, MAX_BATCH - 1);
                    if (attempt() && !sync) {
                        followStream();
                    }
                } else if (closing && entering.get() == 0 && queue.isEmpty()) {
                    finish();
                    return;
                }
                if (dirty && System.nanoTime() - lastForceNanos >= flushNanos) {
                    forceNow();
                }
            }
        } catch (InterruptedException e) {
            // nobody interrupts this private thread except a JVM shutdown: write nothing more
            Thread.currentThread().interrupt();
            throw new IllegalStateException("audit writer thread interrupted");
        }
    }

    /**
     * In async durability, while events keep coming, wakes on its own every linger interval and writes what
     * arrived, instead of going back to wait on the queue: a writer waiting on the queue is woken by the next
     * record() (a system call on the statement's thread) and then lingers, two wake-ups per batch where this
     * costs one, and none to the statements. Returns to waiting on the queue as soon as an interval brought
     * nothing (so an idle writer costs nothing), when a write fails, or on close.
     */
    private void followStream() {
        while (!closing && healthy && pending.isEmpty() && preamble.isEmpty()) {
            LockSupport.parkNanos(this, lingerNanos());
            if (queue.drainTo(pending, MAX_BATCH) == 0 || !attempt()) {
                return;
            }
            if (dirty && System.nanoTime() - lastForceNanos >= flushNanos) {
                forceNow();
            }
        }
    }

    /**
     * During an outage, takes queued events into the retried batch (bounded: queue capacity plus one batch) so
     * that sync callers learn of the failure instead of waiting for the outage to end; fail-open callers then
     * go on, fail-closed ones get {@link AuditUnavailableException}. The events are still written on recovery.
     */
    private void absorbQueue() {
        int room = outageCapacity - pending.size();
        if (room <= 0) {
            return;
        }
        int from = pending.size();
        queue.drainTo(pending, room);
        if (pending.size() > from) {
            releaseAll(pending.subList(from, pending.size()), lastFailure);
        }
    }

    /**
     * How long to linger now: {@link #ASYNC_LINGER_NANOS}, cut short when the file is due to be forced, so that
     * lingering never delays a force past the flush interval.
     */
    private long lingerNanos() {
        return dirty ? Math.min(ASYNC_LINGER_NANOS, remainingFlushNanos()) : ASYNC_LINGER_NANOS;
    }

    private long remainingFlushNanos() {
        return Math.max(1, flushNanos - (System.nanoTime() - lastForceNanos));
    }

    /** Writes the pending batch (after the preamble and any recovery alarm); false when it failed. */
    private boolean attempt() {
        if (!opened && !reopen()) {
            failed(null);
            return false;
        }
        List<AuditEvent> events = new ArrayList<>(preamble.size() + pending.size() + 1);
        events.addAll(preamble);
        int fixed = preamble.size();
        if (outageStart != null) {
            events.add(outageAlarm());
            fixed++;
        }
        for (Object o : pending) {
            events.add(o instanceof Waiter w ? w.event : (AuditEvent) o);
        }
        try {
            writeAll(events);
        } catch (PartialWriteException e) {
            failed(e.getCause() instanceof IOException io ? io : e);
            dropWritten(e.written(), fixed);
            return false;
        } catch (IOException e) {
            failed(e);
            return false;
        }
        // written and chained: never write these again, whatever the force says
        written += events.size();  // only this thread writes it
        preamble.clear();
        if (sync) {
            try {
                target.force();
                lastForceNanos = System.nanoTime();
            } catch (IOException e) {
                failed(e); // their callers are told; the next attempt reopens and writes an alarm
                pending.clear();
                return false;
            }
        } else {
            if (!dirty) {
                lastForceNanos = System.nanoTime();
            }
            dirty = true;
        }
        releaseAll(pending, null);
        pending.clear();
        recovered();
        return true;
    }

    /** A target that throws an unchecked exception (a bug, a MAC provider failure) is retried like an I/O error. */
    private void writeAll(List<AuditEvent> events) throws IOException {
        try {
            target.write(events);
        } catch (RuntimeException e) {
            throw new IOException("audit target failed: " + e.getClass().getName(), e);
        }
    }

    /** Removes what a partial write committed, so that a retry writes each event once. */
    private void dropWritten(int written, int fixed) {
        int fromFixed = Math.min(written, fixed);
        int fromPreamble = Math.min(fromFixed, preamble.size());
        preamble.subList(0, fromPreamble).clear();
        if (fromFixed > fromPreamble) {
            // the outage alarm made it: start counting a new outage from here
            outageStart = clock.instant();
            refusedDuringOutage.set(0);
        }
        int fromPending = Math.max(0, written - fixed);
        // those callers were already told of the failure (written, but not forced): conservative, never optimistic
        pending.subList(0, fromPending).clear();
    }

    private void forceNow() {
        try {
            target.force();
            dirty = false;
            lastForceNanos = System.nanoTime();
        } catch (IOException e) {
            // the data is in the OS already; reopening re-forces nothing, so report and keep going
            failed(e);
        }
    }

    private boolean reopen() {
        try {
            preamble.addAll(target.open());
            opened = true;
            return true;
        } catch (IOException e) {
            opened = false;
            unhealthyDetail = describe(e);
            return false;
        }
    }

    private void failed(IOException e) {
        if (e != null) {
            unhealthyDetail = describe(e);
            opened = false; // reopen (and roll back to the last committed event) before the next try
        }
        if (outageStart == null) {
            outageStart = clock.instant();
            refusedDuringOutage.set(0);
        }
        IOException cause = e != null ? e : new IOException(unhealthyDetail);
        lastFailure = cause;
        // down before any caller is told: a caller that hears of its failure and records again at once must be
        // refused at once (fail-closed), not queued behind the outage
        boolean wasHealthy = healthy;
        healthy = false;
        releaseAll(pending, cause);
        if (wasHealthy) {
            listener.healthChanged(false, unhealthyDetail);
        }
    }

    private void recovered() {
        outageStart = null;
        retryNanos = MIN_RETRY_NANOS;
        if (!healthy) {
            healthy = true;
            listener.healthChanged(true, target.describe());
        }
    }

    private AuditEvent outageAlarm() {
        Instant now = clock.instant();
        return AuditEvent.alarm(now, "audit trail was unavailable from " + AuditLineCodec.formatTime(outageStart)
                + " to " + AuditLineCodec.formatTime(now) + " (" + unhealthyDetail + "); "
                + pending.size() + " events held during the outage written now, " + refusedDuringOutage.get()
                + " records refused (fail-" + (failClosed ? "closed" : "open") + ")");
    }

    /** Tells sync callers the outcome; failed ones stay pending and are still retried. */
    private void releaseAll(List<Object> items, IOException failure) {
        for (Object o : items) {
            if (o instanceof Waiter w && w.state != 1) {
                if (failure == null) {
                    w.state = 1;
                } else if (w.state == 0) {
                    w.failure = failure;
                    w.state = 2;
                } else {
                    continue;
                }
                LockSupport.unpark(w.caller);
            }
        }
    }

    private void finish() {
        preamble.add(AuditEvent.seal(clock.instant()));
        if (!attempt()) {
            giveUp();
            return;
        }
        try {
            target.force();
            target.close();
        } catch (IOException e) {
            closeFailure = e;
        }
    }

    /** Closing while the target still fails: report what was not written. */
    private void giveUp() {
        List<Object> rest = new ArrayList<>(pending);
        queue.drainTo(rest);
        long lost = rest.size() + preamble.stream().filter(e -> !AuditEvent.SEAL.equals(e.type())).count();
        IOException failure = new IOException(lost + " events not written, trail not sealed: " + unhealthyDetail);
        if (lost > 0) {
            closeFailure = failure;
            dropped.addAndGet(lost);
        }
        releaseAll(rest, failure);
        try {
            target.close();
        } catch (IOException ignored) {
            // already failing; closeFailure says why
        }
    }

    private String describe(IOException e) {
        if (e == null) {
            return target.describe();
        }
        String message = e.getMessage();
        return target.describe() + ": " + e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}

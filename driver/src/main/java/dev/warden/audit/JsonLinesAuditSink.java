package dev.warden.audit;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The default audit sink: a hash-chained JSON Lines trail in rotated files (see {@link AuditSinkConfig} for
 * names, durability, failure mode and rotation, {@link AuditLineCodec} for the line format).
 *
 * <p>On open it takes the trail's lock file (one writer per trail), finds the newest file's last complete event
 * and continues the chain in a new file; a torn last line or a missing seal left by a crash is recorded as an
 * {@code alarm} event at the start of the new file (the old file is never rewritten). Rotation starts a new file
 * whose first event's {@code prev} is the last hash of the previous file. {@link #close} writes a {@code seal}
 * event, so that a trail whose last file does not end with one is known to be live, crashed or cut.
 *
 * <p>Thread-safe; {@link #record} costs the caller a queue insertion (see {@link BatchingAuditWriter}).
 */
public final class JsonLinesAuditSink extends WriterBackedAuditSink {

    private final JsonLinesFileTarget target;

    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key) {
        this(config, key, AuditHealthListener.NONE, Clock.systemUTC());
    }

    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key, AuditHealthListener listener) {
        this(config, key, listener, Clock.systemUTC());
    }

    /** With a clock for the trail's own events, file names and daily rotation (tests). */
    public JsonLinesAuditSink(AuditSinkConfig config, ChainKey key, AuditHealthListener listener, Clock clock) {
        this(new JsonLinesFileTarget(config, key, clock), config, listener, clock);
    }

    private JsonLinesAuditSink(JsonLinesFileTarget target, AuditSinkConfig config, AuditHealthListener listener,
                               Clock clock) {
        super(new BatchingAuditWriter(target, config.durability(), config.onFailure(), config.queueCapacity(),
                config.flushInterval(), clock, listener, "warden-audit-" + AuditTrailFiles.base(config.path())));
        this.target = target;
    }

    /**
     * Closes the chain {@code config} names when its writer is gone (nobody holds its lock) and left it unsealed
     * (crash, kill): writes the alarm a restart of that writer would write, one naming {@code closedBy}, and a seal,
     * so the chain verifies as a recorded crash rather than a cut tail for ever. A chain without files, sealed, or
     * being written is left alone.
     *
     * @return true when it sealed the chain
     */
    public static boolean sealIfAbandoned(AuditSinkConfig config, ChainKey key, String closedBy) {
        Path dir = config.path().toAbsolutePath().getParent();
        try {
            if (dir == null || AuditTrailFiles.list(dir, config.chainName()).isEmpty()) {
                return false;
            }
        } catch (java.io.IOException e) {
            return false;
        }
        Clock clock = Clock.systemUTC();
        JsonLinesFileTarget target = new JsonLinesFileTarget(config, key, clock);
        try {
            List<AuditEvent> alarms = target.open(); // takes the lock: fails while a writer holds it
            if (alarms.stream().noneMatch(e -> AuditEvent.ALARM.equals(e.type()))) {
                return false;
            }
            List<AuditEvent> events = new java.util.ArrayList<>(alarms);
            events.add(AuditEvent.alarm(clock.instant(), "chain " + config.chainName() + " closed by instance "
                    + closedBy + ": its writer is gone"));
            events.add(AuditEvent.seal(clock.instant()));
            target.write(events);
            target.force();
            return true;
        } catch (java.io.IOException e) {
            return false; // being written, or unwritable: its own writer (or the next opener) deals with it
        } finally {
            try {
                target.close();
            } catch (java.io.IOException ignored) {
                // the lock goes with the channel
            }
        }
    }

    /** Events queued and not yet taken by the writer thread (tests, metrics). */
    int queued() {
        return writer().queued();
    }

    /** The file being written (for operators and tests); may change at any time by rotation. */
    public Path currentFile() {
        return target.currentFile();
    }
}

package dev.warden.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The file side of {@link JsonLinesAuditSink}: holds the trail's lock, continues the chain from the newest
 * existing file, writes each batch with one channel write per file, rotates by size and UTC day, and after a
 * failure reopens the current file cut back to its last complete event.
 *
 * <p>Not thread-safe: used by the writer thread only (see {@link AuditBatchTarget}).
 */
final class JsonLinesFileTarget implements AuditBatchTarget {

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final int TAIL_CHUNK = 64 * 1024;

    private final Path dir;
    private final String base; // the chain name: the trail's base, with @instance when there is one
    private final String instance;
    private final AnchorFile anchor;
    private final long rotateSize;
    private final boolean rotateDaily;
    private final ChainKey key;
    private final Clock clock;
    /** Writes format 2 (a dictionary per file), else format 1 (see {@link AuditSinkConfig#format}). */
    private final boolean format2;

    private FileChannel lockChannel;
    private FileLock lock;
    private AuditChain chain;
    private long counter;
    private volatile Path current;
    private FileChannel channel;
    private long committedSize;
    private LocalDate currentDay;
    private boolean needsNewFile = true;
    private boolean lastWasSeal;
    private int markReserve = -1;
    /** The batch's lines, written with one channel call; kept between batches (a copy per batch was garbage). */
    private byte[] buffer = new byte[64 * 1024];
    private int buffered;

    JsonLinesFileTarget(AuditSinkConfig config, ChainKey key, Clock clock) {
        Path absolute = config.path().toAbsolutePath();
        this.dir = absolute.getParent();
        this.base = config.chainName();
        this.instance = config.instance();
        this.anchor = config.anchor() == null ? null
                : new AnchorFile(config.anchor(), base, config.anchorInterval(), clock);
        this.rotateSize = config.rotateSizeBytes();
        this.rotateDaily = config.rotateDaily();
        this.key = key;
        this.clock = clock;
        this.format2 = config.format() >= 2;
    }

    @Override
    public String describe() {
        return current != null ? current.toString() : dir.resolve(base + "-*.jsonl").toString();
    }

    /** The file being written, or null before the first. */
    Path currentFile() {
        return current;
    }

    @Override
    public List<AuditEvent> open() throws IOException {
        closeChannel();
        if (chain == null) {
            Files.createDirectories(dir);
            if (lock == null) {
                acquireLock();
            }
            List<AuditEvent> alarms = new ArrayList<>();
            chain = resume(alarms);
            return alarms;
        }
        if (current != null) {
            if (!Files.exists(current)) {
                Files.createDirectories(dir);
                needsNewFile = true; // deleted under us: go on in a new file, and say so
                return List.of(AuditEvent.alarm(clock.instant(), "trail file " + current
                        + " disappeared while being written; it held events up to seq " + chain.seq()));
            }
            if (needsNewFile) {
                return List.of(); // the file was complete (a rotation mark ends it): the next write starts another
            }
            // back to the last complete event: a failed write may have left part of a line
            FileChannel ch = FileChannel.open(current, StandardOpenOption.WRITE);
            try {
                ch.truncate(committedSize);
                ch.position(committedSize);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            channel = ch;
        }
        return List.of();
    }

    private void acquireLock() throws IOException {
        FileChannel ch = FileChannel.open(AuditTrailFiles.lockFile(dir, base), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IOException("audit trail " + dir.resolve(base) + " is being written by another sink");
        }
        lockChannel = ch;
        lock = l;
    }

    /** Finds where the chain ends (newest file with a complete event) and what alarms that calls for. */
    private AuditChain resume(List<AuditEvent> alarms) throws IOException {
        List<Path> files = AuditTrailFiles.list(dir, base);
        counter = files.isEmpty() ? 0 : AuditTrailFiles.counter(files.get(files.size() - 1));
        for (int i = files.size() - 1; i >= 0; i--) {
            Path file = files.get(i);
            Tail tail = readTail(file);
            if (tail.tornAt >= 0) {
                alarms.add(AuditEvent.alarm(clock.instant(), "torn last line in " + file + " at byte " + tail.tornAt
                        + " (previous run crashed while writing); the trail continues after seq "
                        + (tail.last == null ? "of an earlier file" : String.valueOf(tail.last.seq()))));
            }
            if (tail.last == null) {
                if (tail.tornAt < 0) {
                    alarms.add(AuditEvent.alarm(clock.instant(), "no complete event in " + file));
                }
                continue;
            }
            ChainedEvent last = tail.last;
            if (!tail.verified) {
                alarms.add(AuditEvent.alarm(clock.instant(), "last event of " + file + " (seq " + last.seq()
                        + ") does not verify under the chain key; continuing the chain after it"));
            }
            if (!AuditEvent.SEAL.equals(last.event().type()) && tail.tornAt < 0) {
                alarms.add(AuditEvent.alarm(clock.instant(), "previous run ended without a seal after seq "
                        + last.seq() + " in " + file + " (crash or kill)"));
            }
            return new AuditChain(key, last.seq(), last.hash(), format2);
        }
        if (instance != null) {
            alarms.add(0, AuditEvent.chainStarted(clock.instant(), base, instance));
        }
        return new AuditChain(key, 0, "", format2);
    }

    private record Tail(ChainedEvent last, boolean verified, long tornAt) {}

    /**
     * Finds a file's last complete, parsable line and whether it ends with a torn one, reading a window at the
     * end that doubles until it holds such a line (so a restart does not read a whole 64 MiB file).
     */
    private Tail readTail(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long window = Math.min(size, TAIL_CHUNK);
            while (true) {
                long from = size - window;
                byte[] bytes = new byte[(int) window];
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining() && ch.read(buf, from + buf.position()) >= 0) {
                    // read the window fully
                }
                int end = bytes.length; // exclusive end of complete lines
                long tornAt = -1;
                if (end > 0 && bytes[end - 1] != '\n') {
                    int nl = lastNewline(bytes, end - 1);
                    if (nl < 0 && from > 0) {
                        window = Math.min(size, window * 2); // the torn line starts before the window
                        continue;
                    }
                    end = nl + 1;
                    tornAt = from + end;
                }
                // a line counts only when its start is inside the window (or the window starts the file)
                int stop = end - 1; // index of a newline that ends a complete line
                while (stop >= 0) {
                    int nl = lastNewline(bytes, stop - 1);
                    if (nl < 0 && from > 0) {
                        break;
                    }
                    byte[] line = Arrays.copyOfRange(bytes, nl + 1, stop);
                    ChainedEvent e = tryParse(line);
                    if (e != null) {
                        return new Tail(e, verifies(line), tornAt);
                    }
                    stop = nl;
                }
                if (from == 0) {
                    return new Tail(null, false, tornAt);
                }
                if (window >= Integer.MAX_VALUE / 2) {
                    throw new IOException("no complete event in the last " + window + " bytes of " + file);
                }
                window = Math.min(size, window * 2);
            }
        }
    }

    private boolean verifies(byte[] line) {
        AuditLineCodec.Signed signed = AuditLineCodec.split(line);
        return signed != null && key.verify(signed.tag(), signed.content());
    }

    private static int lastNewline(byte[] a, int from) {
        for (int i = from; i >= 0; i--) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static ChainedEvent tryParse(byte[] line) {
        try {
            return AuditLineCodec.parseHead(line); // the last line alone: its seq, hash and type
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void write(List<AuditEvent> events) throws PartialWriteException {
        int committed = 0;
        int bufferedEvents = 0;
        buffered = 0;
        try {
            if (needsNewFile || channel == null) {
                newFile();
            } else if (dayChanged()) {
                rotate();
            }
            for (AuditEvent e : events) {
                AuditChain.Position before = chain.position();
                byte[] line = chain.append(e);
                long used = committedSize + buffered;
                if (rotateSize > 0 && used > 0 && used + line.length + markReserve() > rotateSize) {
                    // the event goes to the next file (its values defined afresh there), after the mark ending this one
                    chain.rewindTo(before);
                    rotate();
                    committed += bufferedEvents;
                    bufferedEvents = 0;
                    line = chain.append(e);
                }
                buffer(line);
                bufferedEvents++;
                lastWasSeal = AuditEvent.SEAL.equals(e.type());
            }
            writeBuffer();
            chain.mark();
        } catch (IOException e) {
            chain.reset();
            throw new PartialWriteException(committed, e);
        }
    }

    /** The longest a rotation mark's line can be under this key: kept free at the end of each file. */
    private int markReserve() {
        if (markReserve < 0) {
            // a head as long as this key's tags, and a fresh dictionary (the mark's values defined in its line)
            AuditChain probe = new AuditChain(key, Long.MAX_VALUE / 2, "f".repeat(2 * key.mac(new byte[1]).length),
                    format2);
            markReserve = probe.append(AuditEvent.fileRotated(java.time.Instant.parse("2026-12-31T23:59:59.999999Z"))).length;
        }
        return markReserve;
    }

    /**
     * Ends the current file with a {@link AuditEvent#FILE_ROTATED} mark (after what is buffered) and starts the
     * next: a chain whose last event is such a mark has lost its newest file. The mark may take the file past
     * the rotation size by its one line.
     */
    private void rotate() throws IOException {
        buffer(chain.append(AuditEvent.fileRotated(clock.instant())));
        writeBuffer();
        chain.mark();
        newFile();
    }

    private boolean dayChanged() {
        return rotateDaily && !LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).equals(currentDay);
    }

    private void buffer(byte[] line) {
        if (buffered + line.length > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, buffered + line.length));
        }
        System.arraycopy(line, 0, buffer, buffered, line.length);
        buffered += line.length;
    }

    private void writeBuffer() throws IOException {
        if (buffered == 0) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, buffered);
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        committedSize += buffered;
        buffered = 0;
    }

    private void newFile() throws IOException {
        if (channel != null) {
            channel.force(false); // a rotated file is complete: make it durable before moving on
            closeChannel();
        }
        needsNewFile = true; // until it exists: a retry must not go back to the file just closed
        var now = clock.instant();
        Path file = dir.resolve(String.format("%s-%s-%06d.jsonl", base, STAMP.format(now), counter + 1));
        channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        counter++;
        current = file;
        committedSize = 0;
        chain.startFile();
        currentDay = LocalDate.ofInstant(now, ZoneOffset.UTC);
        needsNewFile = false;
        syncDirectory();
    }

    /** The new file's directory entry must survive a crash too (Linux allows forcing a directory). */
    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported on this platform: the file's own force still covers its content
        }
    }

    /** Forces what is written, then anchors the head when due (only forced events are ever anchored). */
    @Override
    public void force() throws IOException {
        if (channel != null) {
            channel.force(false);
        }
        if (anchor != null && chain != null) {
            anchor.anchorIfDue(chain.committedSeq(), chain.committedHash(), lastWasSeal, false);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (anchor != null && chain != null && channel != null) {
                channel.force(false);
                anchor.anchorIfDue(chain.committedSeq(), chain.committedHash(), lastWasSeal, true);
            }
            closeChannel();
        } finally {
            if (lock != null) {
                lock.release();
                lockChannel.close();
                lock = null;
            }
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to flush through this handle: data went out with each write
            }
            channel = null;
        }
    }
}

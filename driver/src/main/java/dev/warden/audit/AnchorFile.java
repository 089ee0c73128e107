package dev.warden.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The anchor of a trail: a file, kept apart from the trail (another directory, owner or host; append-only),
 * to which each writer appends its chain's head, one line per anchoring:
 * {@code {"chain":"warden-audit@gw1","seq":1234,"hash":"…","time":"…","final":false}}.
 * {@code final} is true for the head written at a clean close (a seal). Verification checks each chain against the
 * newest head anchored for it: a chain that is missing, or ends before that head, or holds another event there,
 * has lost events that the files alone could not show missing (a deleted newest file, a whole chain removed).
 *
 * <p>Several writers append to one anchor file: each line goes out in one append write, under the size at which
 * appends interleave. A writer's instance is not thread-safe (the writer thread only); {@link #read} is.
 */
public final class AnchorFile {

    private static final Pattern LINE = Pattern.compile(
            "\\{\"chain\":\"([^\"]+)\",\"seq\":(\\d+),\"hash\":\"([0-9a-f]*)\",\"time\":\"([^\"]+)\",\"final\":(true|false)}");

    /** The newest head anchored for a chain. */
    public record Head(String chain, long seq, String hash, Instant time, boolean sealed) {}

    private final Path file;
    private final String chain;
    private final long intervalNanos;
    private final Clock clock;
    private long anchoredSeq = -1;
    private long lastNanos;

    AnchorFile(Path file, String chain, Duration interval, Clock clock) {
        this.file = file.toAbsolutePath();
        this.chain = chain;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
    }

    /**
     * Appends {@code seq, hash} (a head already forced to disk) when it moved and the interval has passed since the
     * last anchoring, or always when {@code now}.
     */
    void anchorIfDue(long seq, String hash, boolean sealed, boolean now) throws IOException {
        long t = System.nanoTime();
        if (seq <= 0 || seq == anchoredSeq || (!now && anchoredSeq >= 0 && t - lastNanos < intervalNanos)) {
            return;
        }
        String line = "{\"chain\":\"" + chain + "\",\"seq\":" + seq + ",\"hash\":\"" + hash + "\",\"time\":\""
                + AuditLineCodec.formatTime(clock.instant()) + "\",\"final\":" + sealed + "}\n";
        Path parent = file.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            ch.write(bytes); // one append of ~200 bytes: not interleaved with other writers' lines
            ch.force(false);
        } catch (IOException e) {
            throw new IOException("audit anchor " + file + " cannot be written: " + e.getMessage(), e);
        }
        anchoredSeq = seq;
        lastNanos = t;
    }

    /**
     * The newest head of each chain in an anchor file (highest seq), by chain name.
     *
     * @throws IOException when the file cannot be read, or a line is not an anchor line (naming its number)
     */
    public static SortedMap<String, Head> read(Path file) throws IOException {
        SortedMap<String, Head> heads = new TreeMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(l.strip());
            if (!m.matches()) {
                throw new IOException(file + " line " + (i + 1) + " is not an anchor line");
            }
            Head h = new Head(m.group(1), Long.parseLong(m.group(2)), m.group(3), Instant.parse(m.group(4)),
                    Boolean.parseBoolean(m.group(5)));
            heads.merge(h.chain(), h, (a, b) -> b.seq() >= a.seq() ? b : a);
        }
        return heads;
    }
}

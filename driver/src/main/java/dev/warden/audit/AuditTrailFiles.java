package dev.warden.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Names of the files of a JSON Lines trail: {@code BASE-YYYYMMDD-HHMMSS-NNNNNN.jsonl}, where the counter
 * {@code NNNNNN} grows by one per file across restarts and orders the files (the UTC time is for people; a clock
 * set back cannot reorder the trail). Stateless and thread-safe.
 */
public final class AuditTrailFiles {

    private static final Pattern NAME = Pattern.compile("(.+)-(\\d{8})-(\\d{6})-(\\d+)\\.jsonl");

    private AuditTrailFiles() {}

    /** The base of a configured trail path: {@code audit.jsonl} and {@code audit} both give {@code audit}. */
    static String base(Path configured) {
        String name = configured.getFileName().toString();
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    }

    /** The file counter of a trail file name, or -1 when the name is not a trail file's. */
    public static long counter(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(4)) : -1;
    }

    /** The base of a trail file's name ({@code audit} for {@code audit-20261129-130014-000003.jsonl}), or null. */
    public static String baseOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? m.group(1) : null;
    }

    /** The files of the trail configured as {@code configured} (e.g. {@code dir/audit.jsonl}), oldest first. */
    public static List<Path> of(Path configured) throws IOException {
        Path dir = configured.toAbsolutePath().getParent();
        return dir == null ? List.of() : list(dir, base(configured));
    }

    /** The files of trail {@code base} in {@code dir}, oldest first. */
    static List<Path> list(Path dir, String base) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return sorted(s.filter(p -> base.equals(baseOf(p))).toList());
        }
    }

    /**
     * Expands directories (every {@code *.jsonl} in them) and orders the files as the trail wrote them: by base,
     * then counter; names that are not trail names sort by name, after.
     */
    public static List<Path> expand(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> f.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(f))
                            .forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return sorted(files);
    }

    static List<Path> sorted(List<Path> files) {
        return files.stream().distinct().sorted(Comparator
                .comparing((Path p) -> baseOf(p) == null ? 1 : 0)
                .thenComparing(p -> baseOf(p) == null ? "" : baseOf(p))
                .thenComparingLong(AuditTrailFiles::counter)
                .thenComparing(p -> p.getFileName().toString())).toList();
    }

    /** The lock file a writing sink holds: {@code BASE.lock} next to the trail files. */
    static Path lockFile(Path dir, String base) {
        return dir.resolve(base + ".lock");
    }
}

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
 * Names of the files of a JSON Lines trail: {@code CHAIN-YYYYMMDD-HHMMSS-NNNNNN.jsonl}, where the counter
 * {@code NNNNNN} grows by one per file across restarts and orders the files (the UTC time is for people; a clock
 * set back cannot reorder the trail). {@code CHAIN} is {@code BASE@INSTANCE}: each writing process (instance)
 * keeps a hash chain of its own, so any number of them share a policy and a directory; a trail written before
 * instances existed has names {@code BASE-...} and is one chain named {@code BASE}. Stateless and thread-safe.
 */
public final class AuditTrailFiles {

    private static final Pattern NAME = Pattern.compile("(.+)-(\\d{8})-(\\d{6})-(\\d+)\\.jsonl");

    /** Between a trail's base and the instance in a chain name; never part of an instance name. */
    public static final char INSTANCE_SEPARATOR = '@';
    private static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private AuditTrailFiles() {}

    /**
     * The chain name of instance {@code instance} of the trail {@code base}: {@code base@instance}, or {@code base}
     * when {@code instance} is null (a single-writer trail, as before instances).
     */
    public static String chainName(String base, String instance) {
        return instance == null ? base : base + INSTANCE_SEPARATOR + checkInstance(instance);
    }

    /**
     * {@code instance} when it is safe in a file name: letters, digits, '.', '_' and '-', starting with a letter or
     * digit, at most 100 characters (so no path separator, no {@code ..}, no separator {@code @}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String checkInstance(String instance) {
        if (instance == null || !INSTANCE.matcher(instance).matches()) {
            throw new IllegalArgumentException("audit instance '" + instance + "' must be 1 to 100 letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit (it becomes part of file names)");
        }
        return instance;
    }

    /**
     * The default instance of this process: its host name and pid ({@code db-gw-1-4242}), every character
     * that is not safe in a file name replaced by '_'.
     */
    public static String defaultInstance() {
        String safe = hostName().replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || !Character.isLetterOrDigit(safe.charAt(0))) {
            safe = "h" + safe;
        }
        if (safe.length() > 80) {
            safe = safe.substring(0, 80);
        }
        return safe + "-" + ProcessHandle.current().pid();
    }

    /**
     * The host's name without a DNS lookup where possible (a host whose name does not resolve would otherwise
     * stall the first trail opening for the resolver's timeout): the kernel's on Linux, then the environment, then
     * the resolver.
     */
    private static String hostName() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or not readable: try the others
        }
        for (String variable : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String name = System.getenv(variable);
            if (name != null && !name.isBlank()) {
                return name.strip();
            }
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "host";
        }
    }

    /** The instance part of a chain name ({@code gw1} of {@code audit@gw1}), or null for a single-writer trail. */
    public static String instanceOf(String chain) {
        int at = chain.lastIndexOf(INSTANCE_SEPARATOR);
        return at < 0 ? null : chain.substring(at + 1);
    }

    /** The trail base of a chain name ({@code audit} of {@code audit@gw1}). */
    public static String trailOf(String chain) {
        int at = chain.lastIndexOf(INSTANCE_SEPARATOR);
        return at < 0 ? chain : chain.substring(0, at);
    }

    /**
     * The files of every chain of the trail configured as {@code configured}, grouped by chain name (sorted),
     * each oldest first: the single-writer chain {@code BASE} and each {@code BASE@INSTANCE}.
     */
    public static java.util.SortedMap<String, List<Path>> chainsOf(Path configured) throws IOException {
        Path dir = configured.toAbsolutePath().getParent();
        String base = base(configured);
        java.util.SortedMap<String, List<Path>> chains = new java.util.TreeMap<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return chains;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : sorted(s.filter(p -> {
                String b = baseOf(p);
                return b != null && trailOf(b).equals(base);
            }).toList())) {
                chains.computeIfAbsent(baseOf(p), k -> new ArrayList<>()).add(p);
            }
        }
        return chains;
    }

    /**
     * The files and directories given, expanded as {@link #expand} does, grouped by chain: trail files by the chain
     * their name gives, any other file as a chain of its own named by its path. Sorted by chain name.
     */
    public static java.util.SortedMap<String, List<Path>> byChain(List<Path> paths) throws IOException {
        java.util.SortedMap<String, List<Path>> chains = new java.util.TreeMap<>();
        for (Path p : expand(paths)) {
            String chain = baseOf(p);
            chains.computeIfAbsent(chain != null ? chain : p.toString(), k -> new ArrayList<>()).add(p);
        }
        return chains;
    }

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

package dev.warden.policy;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The policy's {@code audit:} section: where the audit trail goes and how it is written. Immutable, thread-safe.
 *
 * @param path            the JSON Lines file, resolved against the policy file's directory
 * @param durability      {@code async} (batched writes) or {@code sync} (each event flushed before the
 *                        statement returns)
 * @param onFailure       {@code fail-closed} (refuse statements while the trail cannot be written) or
 *                        {@code fail-open}
 * @param hashRowKeys     record keyed hashes of the primary keys of protected rows returned
 * @param rotateSizeBytes rotate the file when it reaches this size; 0: never by size
 * @param rotateDaily     rotate the file at each UTC day change
 * @param instance        {@code audit.instance}: the name of this process's chain in a trail shared by several
 *                        processes (safe in a file name), or null for the default, host name and pid
 * @param anchor          {@code audit.anchor}: the file the chain heads are anchored in, or null for none
 */
public record AuditSettings(Path path, String durability, String onFailure, boolean hashRowKeys,
                            long rotateSizeBytes, boolean rotateDaily, Table table, String instance, Path anchor) {

    public AuditSettings(Path path, String durability, String onFailure, boolean hashRowKeys, long rotateSizeBytes,
                         boolean rotateDaily, Table table) {
        this(path, durability, onFailure, hashRowKeys, rotateSizeBytes, rotateDaily, table, null, null);
    }

    /** These settings with {@code audit.instance} and {@code audit.anchor} (either may be null). */
    public AuditSettings withInstance(String instance, Path anchor) {
        return new AuditSettings(path, durability, onFailure, hashRowKeys, rotateSizeBytes, rotateDaily, table,
                instance, anchor);
    }

    /**
     * The {@code audit.table} section: write the trail to a database table instead of files, over a
     * connection of its own. {@code password} is a reference ({@code env:NAME} or {@code file:PATH}), or null.
     */
    public record Table(String jdbcUrl, String user, String password, String name) {}

    /** A file trail (no table). */
    public AuditSettings(Path path, String durability, String onFailure, boolean hashRowKeys, long rotateSizeBytes,
                         boolean rotateDaily) {
        this(path, durability, onFailure, hashRowKeys, rotateSizeBytes, rotateDaily, null);
    }

    /**
     * What {@code audit.instance} may be: safe in a file name (no path separator, no {@code ..}, no {@code @}).
     * The audit package enforces the same when a sink opens (components do not share code); this check is the
     * one that names the policy line.
     */
    public static final java.util.regex.Pattern INSTANCE_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public static final String ASYNC = "async";
    public static final String SYNC = "sync";
    public static final String FAIL_CLOSED = "fail-closed";
    public static final String FAIL_OPEN = "fail-open";
    public static final String DEFAULT_FILE = "warden-audit.jsonl";
    public static final long DEFAULT_ROTATE_SIZE_MB = 64;

    public AuditSettings {
        Objects.requireNonNull(path, "path");
        if (!ASYNC.equals(durability) && !SYNC.equals(durability)) {
            throw new IllegalArgumentException("durability must be async or sync: " + durability);
        }
        if (!FAIL_CLOSED.equals(onFailure) && !FAIL_OPEN.equals(onFailure)) {
            throw new IllegalArgumentException("onFailure must be fail-closed or fail-open: " + onFailure);
        }
        if (rotateSizeBytes < 0) {
            throw new IllegalArgumentException("rotateSizeBytes must not be negative: " + rotateSizeBytes);
        }
    }

    /** The settings of a policy without an {@code audit:} section; {@code baseDir} may be null. */
    public static AuditSettings defaults(Path baseDir) {
        Path file = Path.of(DEFAULT_FILE);
        return new AuditSettings(baseDir == null ? file : baseDir.resolve(file), ASYNC, FAIL_CLOSED, false,
                DEFAULT_ROTATE_SIZE_MB * 1024 * 1024, true);
    }

    public boolean synchronous() {
        return SYNC.equals(durability);
    }

    public boolean failClosed() {
        return FAIL_CLOSED.equals(onFailure);
    }
}

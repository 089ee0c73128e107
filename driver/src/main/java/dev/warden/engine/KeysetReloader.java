package dev.warden.engine;

import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Notices that an engine's keyset file changed ({@code warden keys rotate}, {@code warden keys retire}, or a
 * rotation made by another process) and hands the engine the new keyset, so that a running application or
 * gateway follows it without a restart.
 *
 * <p>A check reads the file (a few kilobytes), hashes it (SHA-256) and compares the hash with the content of
 * the keyset in use; only a different content is opened with the master key the engine started with, and
 * installed if it may succeed the keyset in use ({@link WardenKeyset#whyNotSuccessor}). Checks run every
 * {@code keyset-reload} on the {@link ReloadScheduler}'s thread, never on a statement's thread, or on
 * demand ({@link #check}). A content that fails (unreadable, not a keyset, wrong master key, keys missing)
 * leaves the keyset in use in place; it is reported once (a warning on the {@code dev.warden.keyset}
 * {@link System.Logger}, {@link #status}) and tried again only when the file changes again.
 *
 * <p>Thread-safe: checks are serialised; the status may be read from any thread. Messages name the file and
 * key ids, never key material.
 */
final class KeysetReloader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.warden.keyset");

    /** The outcome of one check. */
    enum Outcome { UNCHANGED, RELOADED, REJECTED }

    /** The content of the keyset file as read once: opened and hashed from the same bytes. */
    record FileContent(String text, byte[] hash) {}

    private final Path file;
    private final MasterKey masterKey;
    private final Duration interval;
    private final Supplier<WardenKeyset> inUse;
    private final Consumer<WardenKeyset> install;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private byte[] loadedHash;        // content of the keyset in use; guarded by this
    private byte[] rejectedHash;      // content last rejected, not tried again until it changes; guarded by this
    private String reportedProblem;   // the last problem logged, not logged again while it persists
    private volatile String lastError;
    private volatile Instant lastCheck;
    private ScheduledFuture<?> task;  // guarded by this

    /**
     * @param loaded   the content the keyset in use was opened from
     * @param interval how often {@link #start} checks; zero: never (only {@link #check} does)
     * @param inUse    the engine's keyset in use
     * @param install  makes a new keyset the engine's keyset in use
     */
    KeysetReloader(Path file, MasterKey masterKey, FileContent loaded, Duration interval,
                   Supplier<WardenKeyset> inUse, Consumer<WardenKeyset> install) {
        this.file = Objects.requireNonNull(file, "file");
        this.masterKey = Objects.requireNonNull(masterKey, "masterKey");
        this.loadedHash = loaded.hash();
        this.interval = Objects.requireNonNull(interval, "interval");
        this.inUse = Objects.requireNonNull(inUse, "inUse");
        this.install = Objects.requireNonNull(install, "install");
    }

    /** Reads {@code file} for {@link WardenKeyset#read(Path, String, MasterKey)} and this class's hash. */
    static FileContent read(Path file) throws KeyException {
        byte[] bytes = ReloadedFile.read(file, (problem, cause) -> switch (problem) {
            case MISSING -> new KeyException("keyset " + file + " does not exist");
            case UNREADABLE -> new KeyException("keyset " + file + " cannot be read ("
                    + cause.getClass().getSimpleName() + ")", cause);
            case TOO_LARGE -> new KeyException("keyset " + file + " is larger than " + ReloadedFile.MAX_BYTES
                    + " bytes: not a keyset");
        });
        return new FileContent(new String(bytes, StandardCharsets.UTF_8), sha256(bytes));
    }

    /** Starts the periodic check, unless the interval is zero. */
    synchronized void start() {
        if (interval.isZero() || task != null) return;
        task = ReloadScheduler.every(interval, LOG, "keyset", file, this::scheduledCheck);
    }

    private void scheduledCheck() {
        try {
            check(false);
        } catch (KeyException e) {
            // reported by check; the keyset in use stays
        }
    }

    /**
     * Checks the file now. With {@code force}, a content rejected before is tried again.
     *
     * @return {@link Outcome#RELOADED} when a new keyset was installed, {@link Outcome#UNCHANGED} when the
     *         file holds the keys in use
     * @throws KeyException why the file's content was not installed (the keyset in use stays)
     */
    synchronized Outcome check(boolean force) throws KeyException {
        lastCheck = Instant.now();
        FileContent content;
        try {
            content = read(file);
        } catch (KeyException e) {
            throw rejected(null, e.getMessage());
        }
        if (Arrays.equals(content.hash(), loadedHash)) {
            // the file holds what is in use (again): whatever was wrong with a rejected content is over
            lastError = null;
            reportedProblem = null;
            rejectedHash = null;
            return Outcome.UNCHANGED;
        }
        if (!force && Arrays.equals(content.hash(), rejectedHash)) {
            throw new KeyException(lastError);
        }
        WardenKeyset current = inUse.get();
        WardenKeyset next;
        try {
            next = WardenKeyset.read(file, content.text(), masterKey);
        } catch (KeyException e) {
            throw rejected(content.hash(), e.getMessage());
        }
        String why = current.whyNotSuccessor(next);
        if (why != null) {
            throw rejected(content.hash(), "keyset " + file + " may not replace the keyset in use: " + why
                    + " (keys that open stored values must stay in the file, disabled once retired)");
        }
        loadedHash = content.hash();
        lastError = null;
        reportedProblem = null;
        rejectedHash = null;
        if (next.sameKeysAs(current)) return Outcome.UNCHANGED;  // written again, same keys
        install.accept(next);
        reloads.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "Warden: keyset " + file + " reloaded: " + next.describeKeys());
        return Outcome.RELOADED;
    }

    private KeyException rejected(byte[] hash, String reason) {
        rejectedHash = hash;
        lastError = reason;
        // a problem is counted and logged once, not at every check while the file stays as it is
        String problem = hash == null ? reason : reason + " " + java.util.HexFormat.of().formatHex(hash);
        if (!problem.equals(reportedProblem)) {
            reportedProblem = problem;
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Warden: " + reason + "; the keyset in use stays ("
                    + inUse.get().primaryKeyIds() + ") and the file is tried again when it changes");
        }
        return new KeyException(reason);
    }

    /** What an operator or a health check may want to know; no key material. */
    KeysetStatus status() {
        return new KeysetStatus(file, interval, inUse.get().describeKeys(), reloads.get(), failures.get(),
                lastError, lastCheck);
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

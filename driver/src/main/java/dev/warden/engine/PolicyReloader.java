package dev.warden.engine;

import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import dev.warden.policy.PolicyLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Notices that an engine's policy file changed and hands the engine the new policy, so that a running
 * application or gateway follows an edit without a restart, as {@link KeysetReloader} does for the keyset.
 *
 * <p>A check reads the file and compares its version (the first 16 hex digits of its SHA-256, which is
 * {@link Policy#version()}) with the policy in use; only a different content is parsed and validated, then
 * installed if it may succeed the policy in use ({@link PolicySuccession}). Checks run every
 * {@code policy-reload} on the {@link ReloadScheduler}'s thread, never on a statement's thread, or on demand
 * ({@link #check}). A content that fails (unreadable, invalid, not a successor) leaves the policy in use in
 * place; it is reported once (a warning on the {@code dev.warden.policy} {@link System.Logger} and the
 * {@code rejected} callback, which leaves an audit event) and tried again only when the file changes again.
 *
 * <p>Thread-safe: checks are serialised. Messages name the file and line, never a value.
 */
final class PolicyReloader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.warden.policy");

    /** The outcome of one check. */
    enum Outcome { UNCHANGED, RELOADED }

    private final Path file;
    private final String location;
    private final Duration interval;
    private final Supplier<Policy> inUse;
    private final Function<Policy, String> whyNotSuccessor;
    private final Consumer<Policy> install;
    private final Consumer<String> rejected;
    private String rejectedVersion;  // content last rejected, not tried again until it changes; guarded by this
    private String reportedProblem;  // the last problem reported, not reported again while it persists
    private volatile String lastError;
    private volatile Instant lastCheck;
    private ScheduledFuture<?> task;  // guarded by this

    /**
     * @param location        the policy location as configured, used as the source name in messages
     * @param interval        how often {@link #start} checks; zero: never (only {@link #check} does)
     * @param whyNotSuccessor why a valid new policy may not replace the one in use, or null when it may
     * @param install         makes a new policy the engine's policy in use
     * @param rejected        records a rejection (its reason), once per distinct problem
     */
    PolicyReloader(Path file, String location, Duration interval, Supplier<Policy> inUse,
                   Function<Policy, String> whyNotSuccessor, Consumer<Policy> install, Consumer<String> rejected) {
        this.file = Objects.requireNonNull(file, "file");
        this.location = Objects.requireNonNull(location, "location");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.inUse = Objects.requireNonNull(inUse, "inUse");
        this.whyNotSuccessor = Objects.requireNonNull(whyNotSuccessor, "whyNotSuccessor");
        this.install = Objects.requireNonNull(install, "install");
        this.rejected = Objects.requireNonNull(rejected, "rejected");
    }

    /**
     * The file a policy location names, or null when it names none that can change under a running process
     * (a classpath resource).
     */
    static Path fileOf(String location) {
        if (location == null || location.startsWith("classpath:")) return null;
        try {
            return Path.of(location);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /** Starts the periodic check, unless the interval is zero. */
    synchronized void start() {
        if (interval.isZero() || task != null) return;
        task = ReloadScheduler.every(interval, LOG, "policy", location, this::scheduledCheck);
    }

    private void scheduledCheck() {
        try {
            check(false);
        } catch (PolicyException e) {
            // reported by check; the policy in use stays
        }
    }

    /**
     * Checks the file now. With {@code force}, a content rejected before is tried again (and reported again).
     *
     * @return {@link Outcome#RELOADED} when a new policy was installed, {@link Outcome#UNCHANGED} when the file
     *         holds the policy in use
     * @throws PolicyException why the file's content was not installed (the policy in use stays)
     */
    synchronized Outcome check(boolean force) throws PolicyException {
        lastCheck = Instant.now();
        byte[] bytes;
        try {
            bytes = read();
        } catch (PolicyException e) {
            throw rejected(null, e.getMessage(), force);
        }
        String version = PolicyLoader.version(bytes);
        Policy current = inUse.get();
        if (version.equals(current.version())) {
            // the file holds what is in use (again): whatever was wrong with a rejected content is over
            lastError = null;
            reportedProblem = null;
            rejectedVersion = null;
            return Outcome.UNCHANGED;
        }
        if (!force && version.equals(rejectedVersion)) throw new PolicyException(lastError);
        Policy next;
        try {
            next = PolicyLoader.parse(bytes, location, file.toAbsolutePath().getParent());
        } catch (PolicyException e) {
            throw rejected(version, e.getMessage(), force);
        }
        String why = whyNotSuccessor.apply(next);
        if (why != null) {
            throw rejected(version, "policy " + location + " (version " + version + ") may not replace the policy in"
                    + " use: " + why, force);
        }
        lastError = null;
        reportedProblem = null;
        rejectedVersion = null;
        install.accept(next);
        LOG.log(System.Logger.Level.INFO, "Warden: policy " + location + " reloaded: version " + current.version()
                + " replaced by " + next.version());
        return Outcome.RELOADED;
    }

    private byte[] read() throws PolicyException {
        return ReloadedFile.read(file, (problem, cause) -> switch (problem) {
            case MISSING -> new PolicyException("policy file '" + location + "' not found");
            case UNREADABLE -> new PolicyException("policy file '" + location + "' cannot be read ("
                    + cause.getClass().getSimpleName() + ")", cause);
            case TOO_LARGE -> new PolicyException("policy file '" + location + "' is larger than "
                    + ReloadedFile.MAX_BYTES + " bytes: not a policy");
        });
    }

    private PolicyException rejected(String version, String reason, boolean force) {
        rejectedVersion = version;
        lastError = reason;
        // a problem is logged and recorded once, not at every check while the file stays as it is
        String problem = version == null ? reason : reason + " " + version;
        if (force || !problem.equals(reportedProblem)) {
            reportedProblem = problem;
            LOG.log(System.Logger.Level.WARNING, "Warden: " + reason + "; the policy in use stays (version "
                    + inUse.get().version() + ") and the file is tried again when it changes");
            rejected.accept(reason);
        }
        return new PolicyException(reason);
    }

    /** The reason the file's last content was not installed, or null when the file holds the policy in use. */
    String lastError() {
        return lastError;
    }

    /** When the file was last checked, or null before the first check. */
    Instant lastCheck() {
        return lastCheck;
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }
}

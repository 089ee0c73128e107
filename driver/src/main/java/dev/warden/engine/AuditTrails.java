package dev.warden.engine;

import dev.warden.audit.AuditEvent;
import dev.warden.audit.AuditSink;
import dev.warden.audit.AuditSinkConfig;
import dev.warden.audit.AuditUnavailableException;
import dev.warden.audit.ChainKey;
import dev.warden.audit.DatabaseAuditSink;
import dev.warden.audit.JsonLinesAuditSink;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.AuditSettings;
import dev.warden.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Opens the audit trail a policy configures and writes the engine's own events (policy loaded, keyset
 * opened). The chain is keyed with the keyset's audit HMAC key, so only a holder of the master key can
 * forge a consistent trail.
 */
public final class AuditTrails {
    private AuditTrails() {}

    /** The chain key for a keyset; a rules-only policy without a keyset gets an unkeyed (SHA-256) chain. */
    public static ChainKey chainKey(WardenKeyset keyset) {
        return chainKey(keyset == null ? null : () -> keyset);
    }

    /**
     * The chain key of whatever keyset {@code keyset} gives at each event, so that after an engine reloads its
     * keyset the trail goes on under the new primary audit key (earlier events still verify: the reload
     * keeps every audit key enabled); null gives an unkeyed (SHA-256) chain.
     */
    static ChainKey chainKey(Supplier<WardenKeyset> keyset) {
        if (keyset == null) return ChainKey.hmacSha256(unkeyedChainKey());
        return new ChainKey() {
            @Override
            public byte[] mac(byte[] data) {
                return keyset.get().auditMac(data);
            }

            @Override
            public boolean verify(byte[] tag, byte[] data) {
                return keyset.get().verifyAuditMac(tag, data);
            }
        };
    }

    /** @param keyset the engine's keyset in use, or null for a rules-only policy */
    static AuditSink open(Policy policy, Supplier<WardenKeyset> keyset) throws SQLException {
        AuditSettings settings = policy.audit();
        if (settings == null) return null;
        if (settings.table() != null) return openTable(settings, keyset);
        return openFile(policy, keyset, settings.path());
    }

    /**
     * A JSON Lines trail at {@code path}, written as the policy's audit settings say (its durability, failure
     * mode and rotation; the defaults when it has no {@code audit:} section), chained under the keyset's key.
     */
    static AuditSink openFile(Policy policy, Supplier<WardenKeyset> keyset, java.nio.file.Path path) {
        AuditSettings settings = policy.audit() != null ? policy.audit() : AuditSettings.defaults(null);
        AuditSinkConfig config = AuditSinkConfig.defaults(path)
                .withDurability(settings.synchronous() ? AuditSinkConfig.Durability.SYNC : AuditSinkConfig.Durability.ASYNC);
        config = new AuditSinkConfig(config.path(), config.durability(),
                settings.failClosed() ? AuditSinkConfig.FailureMode.FAIL_CLOSED : AuditSinkConfig.FailureMode.FAIL_OPEN,
                settings.rotateSizeBytes(), settings.rotateDaily(), config.queueCapacity(), config.flushInterval())
                .withInstance(settings.instance() != null ? settings.instance() : INSTANCE);
        if (settings.anchor() != null) {
            config = config.withAnchor(settings.anchor(), AuditSinkConfig.DEFAULT_ANCHOR_INTERVAL);
        }
        sealAbandonedChains(config, chainKey(keyset));
        return new JsonLinesAuditSink(config, chainKey(keyset));
    }

    /**
     * Seals the other chains of the trail whose writers are gone without sealing them (crashed or killed
     * processes): with an instance per process, nobody else would ever continue them, and each would fail
     * verification for ever as a possibly cut tail. Each gets the alarm its own restart would have written.
     */
    private static void sealAbandonedChains(AuditSinkConfig own, ChainKey key) {
        try {
            for (String chain : dev.warden.audit.AuditTrailFiles.chainsOf(own.path()).keySet()) {
                if (!chain.equals(own.chainName())) {
                    JsonLinesAuditSink.sealIfAbandoned(
                            own.withInstance(dev.warden.audit.AuditTrailFiles.instanceOf(chain)).withAnchor(null,
                                    own.anchorInterval()), key, own.instance());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the directory cannot be listed: opening this process's own chain will report it
        }
    }

    /** This process's default instance (host name and pid): every engine of the process writes one chain. */
    private static final String INSTANCE = dev.warden.audit.AuditTrailFiles.defaultInstance();

    /** Where {@link #open} (path null) or {@link #openFile} writes, for messages: a file or a table, no password. */
    static String describe(Policy policy, java.nio.file.Path path) {
        if (path != null) return path.toString();
        AuditSettings settings = policy.audit();
        if (settings == null) return "(none configured)";
        return settings.table() != null ? "table " + settings.table().name() : settings.path().toString();
    }

    /**
     * The primary key ids the previous run recorded in its last keyset-opened event, read from the newest
     * file of the trail before this run opens it; null when unknown (first run, table trail, unreadable).
     */
    static String previousPrimaryKeys(Policy policy) {
        AuditSettings settings = policy.audit();
        if (settings == null || settings.table() != null) return null;
        try {
            // every chain of the trail (one per instance, and a single-writer trail's): the newest record wins
            AuditEvent newest = null;
            for (List<java.nio.file.Path> files : dev.warden.audit.AuditTrailFiles.chainsOf(settings.path()).values()) {
                for (int i = files.size() - 1; i >= Math.max(0, files.size() - 2); i--) {
                    AuditEvent e = lastKeysetEvent(files.get(i));
                    if (e != null) {
                        if (newest == null || e.time().isAfter(newest.time())) newest = e;
                        break;
                    }
                }
            }
            if (newest != null) return newest.reason().substring(newest.reason().indexOf(PRIMARY) + PRIMARY.length());
        } catch (java.io.IOException | RuntimeException e) {
            // no earlier record to compare with: this run's keyset-opened event still names its keys
        }
        return null;
    }

    private static AuditEvent lastKeysetEvent(java.nio.file.Path file) throws java.io.IOException {
        List<dev.warden.audit.ChainedEvent> events = dev.warden.audit.AuditTrailReader.readFiles(List.of(file));
        for (int k = events.size() - 1; k >= 0; k--) {
            AuditEvent e = events.get(k).event();
            if ((KEYSET_OPENED.equals(e.type()) || KEYSET_RELOADED.equals(e.type())) && e.reason() != null
                    && e.reason().contains(PRIMARY) && e.time() != null) {
                return e;
            }
        }
        return null;
    }

    static final String KEYSET_OPENED = "keyset-opened";
    /** A running engine loaded a changed keyset file; the reason ends with the new primary key ids. */
    static final String POLICY_RELOADED = "policy-reloaded";
    static final String POLICY_REJECTED = "policy-rejected";
    static final String KEYSET_RELOADED = "keyset-reloaded";
    static final String PRIMARY = "primary keys ";

    /** The trail in a database table, over a connection of its own (never an audited one). */
    private static AuditSink openTable(AuditSettings settings, Supplier<WardenKeyset> keyset) throws SQLException {
        AuditSettings.Table table = settings.table();
        java.util.Properties properties = new java.util.Properties();
        if (table.user() != null) properties.setProperty("user", table.user());
        if (table.password() != null) properties.setProperty("password", secret(table.password()));
        DatabaseAuditSink.Config config = new DatabaseAuditSink.Config(table.jdbcUrl(), properties, table.name(),
                settings.synchronous() ? AuditSinkConfig.Durability.SYNC : AuditSinkConfig.Durability.ASYNC,
                settings.failClosed() ? AuditSinkConfig.FailureMode.FAIL_CLOSED : AuditSinkConfig.FailureMode.FAIL_OPEN,
                8192, java.time.Duration.ofMillis(50));
        return new DatabaseAuditSink(config, chainKey(keyset));
    }

    /** Resolves an {@code env:NAME} or {@code file:PATH} reference; the message names the reference only. */
    private static String secret(String reference) throws SQLException {
        String value = null;
        try {
            if (reference.startsWith("env:")) value = System.getenv(reference.substring(4));
            else if (reference.startsWith("file:")) value = java.nio.file.Files.readString(java.nio.file.Path.of(reference.substring(5))).strip();
        } catch (java.io.IOException e) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "audit table password " + reference + " cannot be read", e);
        }
        if (value == null) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "audit table password " + reference + " is not set");
        }
        return value;
    }

    /**
     * An event of the engine itself: {@code type} is "policy-loaded", "keyset-opened", "key-rotated" or
     * "keyset-reloaded".
     */
    static void engineEvent(AuditSink sink, String type, Policy policy, String detail) throws AuditUnavailableException {
        engineEvent(sink, type, policy, detail, "allowed");
    }

    /** An engine event whose outcome is {@code outcome} ("allowed", or "refused" for a rejected policy). */
    static void engineEvent(AuditSink sink, String type, Policy policy, String detail, String outcome)
            throws AuditUnavailableException {
        if (sink == null) return;
        sink.record(new AuditEvent(type, Instant.now().truncatedTo(ChronoUnit.MICROS), type + "-" + policy.version(),
                null, null, null, null, null, null, null, null, policy.version(), List.of(), Map.of(), List.of(),
                List.of(), -1, outcome, detail, null, 0, List.of()));
    }

    private static byte[] unkeyedChainKey() {
        try {
            return MessageDigest.getInstance("SHA-256").digest("warden/1:unkeyed-audit-chain".getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

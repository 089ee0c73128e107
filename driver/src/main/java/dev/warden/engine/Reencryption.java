package dev.warden.engine;

import dev.warden.audit.AuditSink;
import dev.warden.audit.AuditUnavailableException;
import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.LogicalType;
import dev.warden.crypto.MatchIndex;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.ValueCodec;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import dev.warden.policy.PolicyLoader;
import dev.warden.sql.TableName;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rewrites the protected values of one table under the keyset's primary keys, over a plain (not Warden)
 * JDBC connection: the tool that finishes a key rotation, and that encrypts a column newly put under the
 * policy. Rows are read in primary-key order, in batches, each batch in its own transaction with its rows
 * locked ({@code SELECT ... FOR UPDATE}), and updated by primary key.
 *
 * <p>Per value: NULL stays NULL; a ciphertext already under the primary key is left as is (so a second run
 * changes nothing and an interrupted run simply continues); a ciphertext under an older enabled key is
 * decrypted and encrypted again under the primary. A value that does not open is an error naming the column
 * and the row's key, except in the columns the caller names as holding plaintext ({@link Options#fromPlaintext}):
 * there it is read as the column's logical type and encrypted. Even there, a value carrying the key prefix of
 * one of this keyset's keys (a retired key, say) is never taken for plaintext.
 *
 * <p>Given an audit trail, each run over a table leaves one {@code reencryption} event in it (see
 * {@link #run(Connection, Options, Progress, AuditSink)}), so that a security team sees every run.
 *
 * <p>Never logs, prints or puts in an exception or audit record any value, plaintext or ciphertext. Not
 * thread-safe; one instance per command.
 */
public final class Reencryption {

    /**
     * @param table         the table, optionally schema-qualified ({@code public.customers})
     * @param fromPlaintext columns of the table (names alone) whose values that do not open are plaintext
     * @param batchSize     rows per transaction
     * @param dryRun        count only: nothing is written (rowsUpdated then counts the rows that would be)
     */
    public record Options(String table, Set<String> fromPlaintext, int batchSize, boolean dryRun) {
        public Options {
            Objects.requireNonNull(table, "table");
            fromPlaintext = Set.copyOf(fromPlaintext);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1");
        }
    }

    /**
     * What happened to one column's values; counts and key ids only.
     *
     * @param reencryptedFromKeys how many values were re-encrypted from each older key, by key ("daead 123")
     * @param primaryKey          the key values are now under ("daead 456"): Tink key ids, never key material
     * @param indexed             match columns: companions written because they were missing or out of step
     */
    public record ColumnCounts(String column, long reencrypted, long encryptedFromPlaintext, long alreadyCurrent,
                               long nulls, Map<String, Long> reencryptedFromKeys, String primaryKey, long indexed) {
        public ColumnCounts {
            reencryptedFromKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reencryptedFromKeys));
        }
    }

    /** The outcome of a run over one table. */
    public record Result(String table, long rowsScanned, long rowsUpdated, long batches, List<ColumnCounts> columns,
                         boolean dryRun) {}

    /** Told after each committed batch, for progress output. */
    public interface Progress {
        void batchDone(long rowsScanned, long rowsUpdated);
    }

    private final Policy policy;
    private final ServerErrorRedactor errors;
    private final WardenKeyset keyset;

    public Reencryption(Policy policy, WardenKeyset keyset) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.errors = new ServerErrorRedactor(policy);
        this.keyset = Objects.requireNonNull(keyset, "keyset");
    }

    /** Loads the policy and opens its keyset with the master key, as an engine would (no audit trail). */
    public static Reencryption open(EngineConfig config) throws SQLException {
        Policy policy;
        try {
            policy = PolicyLoader.load(config.policyLocation());
        } catch (PolicyException e) {
            // the message names the policy itself ("policy file '…' not found", "policy.yaml:3: …"): no prefix
            throw SqlStates.of(SqlStates.BAD_SESSION, e.getMessage(), e);
        }
        try {
            return new Reencryption(policy, WardenKeyset.read(policy.keysetPath(),
                    MasterKey.resolve(config.masterKeyReference())));
        } catch (KeyException e) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, e.getMessage(), e);
        }
    }

    public Policy policy() {
        return policy;
    }

    /** The tables of the policy with at least one encrypted column, as the policy names them. */
    public List<String> encryptedTables() {
        Set<String> tables = new LinkedHashSet<>();
        for (ColumnRule rule : policy.columns()) {
            if (rule.encryption() != Encryption.NONE) {
                tables.add(rule.schema() == null ? rule.table() : rule.schema() + "." + rule.table());
            }
        }
        return List.copyOf(tables);
    }

    /** One encrypted column of the table as this run treats it. */
    /**
     * @param former the cipher of the column's own binding when the policy puts it in a join group (its values may
     *               still be under that binding, from before it joined: they are moved to the group's), else null
     */
    private record Target(ColumnRule rule, ColumnCipher cipher, Storage storage, LogicalType type,
                          boolean deterministic, boolean fromPlaintext, Tally tally, MatchIndex match,
                          ColumnCipher former, dev.warden.crypto.OrderIndex order) {}

    /** The counts of one column so far; mutable, one per column per run. */
    private static final class Tally {
        long reencrypted;
        long fromPlaintext;
        long current;
        long nulls;
        long indexed;  // companions (match: true) written because they were missing or out of step
        byte[] plaintext;  // the value of the row being scanned, once rewrite() has read it; for the companion
        final Map<String, Long> fromKeys = new TreeMap<>();
    }

    /**
     * Re-encrypts {@code options.table()} through {@code connection}, which must be a plain JDBC connection to
     * the database (its auto-commit setting is restored afterwards). Records nothing in an audit trail: see
     * the overload that takes one.
     */
    public Result run(Connection connection, Options options, Progress progress) throws SQLException {
        return run(connection, options, progress, new Committed());
    }

    /**
     * {@link #run(Connection, Options, Progress)}, recorded in {@code trail} (from {@link #openAuditTrail}) as
     * one {@code reencryption} event whatever the outcome: the table and columns, the counts and the key ids
     * from and to, or, when the run fails, its SQLState and what the batches committed before it did. Never a
     * value, nor the failing row's key. Nothing is rewritten while the trail cannot be written.
     *
     * @param trail null when the policy configures no trail (the run is then not recorded)
     */
    public Result run(Connection connection, Options options, Progress progress, AuditSink trail) throws SQLException {
        if (trail == null) return run(connection, options, progress);
        if (!trail.isHealthy()) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail cannot be written, so nothing of "
                    + options.table() + " was re-encrypted");
        }
        ReencryptionEvent event = new ReencryptionEvent(policy, options.table(), userOf(connection), options.dryRun());
        Committed committed = new Committed();
        Result result;
        try {
            result = run(connection, options, progress, committed);
        } catch (SQLException | RuntimeException e) {
            try {
                record(trail, event.failed(committed.result, e instanceof SQLException sql ? sql.getSQLState() : null));
            } catch (SQLException auditFailure) {
                e.addSuppressed(auditFailure);
            }
            throw e;
        }
        record(trail, event.completed(result));
        return result;
    }

    /** What the batches committed so far did (a dry run's batches count as committed): for a failed run's record. */
    private static final class Committed {
        Result result;  // null before the first batch
    }

    private static void record(AuditSink trail, dev.warden.audit.AuditEvent event) throws SQLException {
        try {
            trail.record(event);
        } catch (AuditUnavailableException e) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the re-encryption ran but its audit record could not"
                    + " be written: " + e.getMessage(), e);
        }
    }

    private static String userOf(Connection connection) {
        try {
            return connection.getMetaData().getUserName();
        } catch (SQLException | RuntimeException e) {
            return null;  // the record then names no database user
        }
    }

    /**
     * Opens the audit trail that records runs: the policy's ({@code path} null), or a JSON Lines trail at
     * {@code path} chained under the same audit key (for a run while a gateway or application holds the
     * policy's file trail, which has one writer at a time). Null when {@code path} is null and the policy
     * configures no trail. The caller closes it, which seals it.
     *
     * @throws SQLException 58000 when the trail cannot be written now (nothing is opened then)
     */
    public AuditSink openAuditTrail(Path path) throws SQLException {
        java.util.function.Supplier<WardenKeyset> keys = keyset == null ? null : () -> keyset;
        AuditSink sink = path == null ? AuditTrails.open(policy, keys) : AuditTrails.openFile(policy, keys, path);
        if (sink != null && !sink.isHealthy()) {
            sink.close();
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail " + AuditTrails.describe(policy, path)
                    + " cannot be written now (a JSON Lines trail has one writer at a time: is a gateway or"
                    + " application using this policy running?)");
        }
        return sink;
    }

    private Result run(Connection connection, Options options, Progress progress, Committed committed)
            throws SQLException {
        TableName table = tableName(options.table());
        List<Target> targets = targets(table, options);
        LiveCatalog.TableInfo info = new LiveCatalog().lookupOnce(connection, table);
        if (info == null) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, "table " + table + " does not exist in the database");
        }
        PrimaryKey key = primaryKey(connection, table, info);
        if (key == null) {
            throw SqlStates.unsupported("table " + table + " has no primary key: re-encryption updates rows by"
                    + " primary key");
        }
        for (String column : key.columns()) {
            if (policy.column(table.schema(), table.name(), column).isPresent()) {
                throw SqlStates.unsupported("the primary key column " + table + "." + column + " is itself"
                        + " protected; re-encryption updates rows by an unprotected primary key");
            }
        }
        List<Target> resolved = new ArrayList<>();
        for (Target t : targets) {
            String typeName = info.typeNames().get(t.rule().column());
            if (typeName == null) {
                throw SqlStates.of(SqlStates.POLICY_MISMATCH, "policy column " + t.rule().qualifiedName()
                        + " (policy line " + t.rule().line() + ") does not exist in table " + table);
            }
            Storage storage = Storage.forColumnType(typeName);
            if (storage == null) {
                throw SqlStates.of(SqlStates.POLICY_MISMATCH, t.rule().qualifiedName() + " is of type " + typeName
                        + " in the database; an encrypted column must be bytea or text: change its type first"
                        + " (e.g. ALTER TABLE " + table + " ALTER COLUMN " + t.rule().column() + " TYPE text)");
            }
            if (t.fromPlaintext() && storage == Storage.BASE64_TEXT && t.type() == LogicalType.BYTES) {
                throw SqlStates.unsupported(t.rule().qualifiedName() + " has logical type bytes but is a text"
                        + " column: plaintext bytes must be stored in bytea to be encrypted in place");
            }
            MatchIndex match = MatchColumns.index(policy, t.rule(), keyset, info,
                    " (policy line " + t.rule().line() + ")");
            dev.warden.crypto.OrderIndex order = OrderColumns.index(policy, t.rule(), keyset, info,
                    " (policy line " + t.rule().line() + ")");
            resolved.add(new Target(t.rule(), t.cipher(), storage, t.type(), t.deterministic(), t.fromPlaintext(),
                    new Tally(), match, t.former(), order));
        }
        return scan(connection, table, key, resolved, options, progress, committed);
    }

    private List<Target> targets(TableName table, Options options) throws SQLException {
        List<Target> targets = new ArrayList<>();
        Set<String> unknownPlaintext = new LinkedHashSet<>(options.fromPlaintext());
        for (ColumnRule rule : policy.columns()) {
            if (rule.encryption() == Encryption.NONE || !rule.table().equals(table.name())
                    || rule.schema() != null && table.schema() != null && !rule.schema().equals(table.schema())) {
                continue;
            }
            boolean deterministic = rule.encryption() == Encryption.DETERMINISTIC;
            ColumnCipher cipher = deterministic
                    ? keyset.deterministic(rule.cipherBinding()) : keyset.randomized(rule.cipherBinding());
            ColumnCipher former = rule.cipherBinding().equals(rule.qualifiedName()) ? null
                    : keyset.deterministic(rule.qualifiedName());
            boolean plaintext = unknownPlaintext.remove(rule.column());
            targets.add(new Target(rule, cipher, null, LogicalType.valueOf(rule.type().name()), deterministic,
                    plaintext, null, null, former, null));
        }
        if (targets.isEmpty()) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, "the policy " + policy.source()
                    + " encrypts no column of table " + table);
        }
        if (!unknownPlaintext.isEmpty()) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, "--from-plaintext names " + String.join(", ", unknownPlaintext)
                    + ", which the policy does not encrypt in table " + table);
        }
        return targets;
    }

    private Result scan(Connection connection, TableName table, PrimaryKey key, List<Target> targets,
                        Options options, Progress progress, Committed committed) throws SQLException {
        String quotedTable = (table.schema() == null ? "" : quote(table.schema()) + ".") + quote(table.name());
        StringBuilder columns = new StringBuilder(key.list());
        StringBuilder sets = new StringBuilder();
        for (Target t : targets) {
            columns.append(", ").append(quote(t.rule().column()));
            if (!sets.isEmpty()) sets.append(", ");
            sets.append(quote(t.rule().column())).append(" = ?");
        }
        // then the companions of match columns, read to tell whether they are in step, written with the rest
        List<Target> matched = new ArrayList<>();
        for (Target t : targets) {
            if (t.match() == null) continue;
            matched.add(t);
            columns.append(", ").append(quote(t.rule().matchColumn()));
            sets.append(", ").append(quote(t.rule().matchColumn())).append(" = ?");
        }
        // and those of order columns (right ciphertexts: in step when they compare equal to the value's left one)
        List<Target> ordered = new ArrayList<>();
        for (Target t : targets) {
            if (t.order() == null) continue;
            ordered.add(t);
            columns.append(", ").append(quote(t.rule().orderColumn()));
            sets.append(", ").append(quote(t.rule().orderColumn())).append(" = ?");
        }
        String lock = options.dryRun() ? "" : " FOR UPDATE";
        String first = "SELECT " + columns + " FROM " + quotedTable + " ORDER BY " + key.list() + " LIMIT "
                + options.batchSize() + lock;
        String next = "SELECT " + columns + " FROM " + quotedTable + " WHERE " + key.after() + " ORDER BY "
                + key.list() + " LIMIT " + options.batchSize() + lock;
        String update = "UPDATE " + quotedTable + " SET " + sets + " WHERE " + key.match();
        int keys = key.columns().size();

        boolean autoCommit = connection.getAutoCommit();
        long scanned = 0;
        long updated = 0;
        long batches = 0;
        Object[] after = null;  // the last row's key values
        connection.setAutoCommit(false);
        try (PreparedStatement firstBatch = connection.prepareStatement(first);
             PreparedStatement nextBatch = connection.prepareStatement(next);
             PreparedStatement write = connection.prepareStatement(update)) {
            while (true) {
                PreparedStatement read = after == null ? firstBatch : nextBatch;
                if (after != null) {
                    for (int k = 0; k < keys; k++) read.setObject(k + 1, after[k]);
                }
                int rows = 0;
                try (ResultSet rs = read.executeQuery()) {
                    List<Object[]> changes = new ArrayList<>();
                    while (rs.next()) {
                        rows++;
                        after = new Object[keys];
                        for (int k = 0; k < keys; k++) after[k] = rs.getObject(k + 1);
                        String row = key.describe(table, after);
                        Object[] values = new Object[targets.size() + matched.size() + ordered.size()];
                        boolean changed = false;
                        for (int i = 0; i < targets.size(); i++) {
                            Target t = targets.get(i);
                            int at = keys + i + 1;
                            Object raw = t.storage() == Storage.BYTEA ? rs.getBytes(at) : rs.getString(at);
                            t.tally().plaintext = null;
                            Object rewritten = rewrite(t, raw, row);
                            values[i] = rewritten == null ? raw : rewritten;
                            changed |= rewritten != null;
                        }
                        for (int m = 0; m < matched.size(); m++) {
                            Target t = matched.get(m);
                            long[] tokens = companion(t, row);
                            values[targets.size() + m] = tokens;
                            if (!sameTokens(tokens, rs.getArray(keys + targets.size() + m + 1))) {
                                changed = true;
                                t.tally().indexed++;
                            }
                        }
                        for (int o = 0; o < ordered.size(); o++) {
                            Target t = ordered.get(o);
                            int at = targets.size() + matched.size() + o;
                            byte[] stored = rs.getBytes(keys + at + 1);
                            byte[] right = orderCompanion(t, stored, row);
                            values[at] = right == null ? stored : right;
                            if (right != null || t.tally().plaintext == null && stored != null) {
                                if (right == null) values[at] = null;
                                changed = true;
                                t.tally().indexed++;
                            }
                        }
                        if (changed) changes.add(withKey(values, after));
                    }
                    for (Object[] change : options.dryRun() ? List.<Object[]>of() : changes) {
                        for (int i = 0; i < targets.size(); i++) bind(write, i + 1, targets.get(i), change[i]);
                        int width = targets.size() + matched.size() + ordered.size();
                        for (int m = 0; m < matched.size(); m++) {
                            Object tokens = change[targets.size() + m];
                            if (tokens == null) write.setNull(targets.size() + m + 1, java.sql.Types.ARRAY);
                            else write.setObject(targets.size() + m + 1, tokens);
                        }
                        for (int o = 0; o < ordered.size(); o++) {
                            int at = targets.size() + matched.size() + o;
                            if (change[at] == null) write.setNull(at + 1, java.sql.Types.BINARY);
                            else write.setBytes(at + 1, (byte[]) change[at]);
                        }
                        Object[] rowKey = (Object[]) change[width];
                        for (int k = 0; k < keys; k++) write.setObject(width + 1 + k, rowKey[k]);
                        execute(write, key.describe(table, rowKey), errors);
                    }
                    updated += changes.size();
                }
                scanned += rows;
                if (rows == 0) break;
                batches++;
                if (options.dryRun()) connection.rollback();
                else connection.commit();
                committed.result = result(table, targets, scanned, updated, batches, options.dryRun());
                if (progress != null) progress.batchDone(scanned, updated);
                if (rows < options.batchSize()) break;
            }
            connection.rollback();  // nothing is pending; ends the last read's transaction
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return result(table, targets, scanned, updated, batches, options.dryRun());
    }

    private Result result(TableName table, List<Target> targets, long scanned, long updated, long batches,
                          boolean dryRun) {
        List<ColumnCounts> counts = new ArrayList<>();
        for (Target t : targets) {
            Tally c = t.tally();
            String family = t.deterministic() ? "daead " : "aead ";
            Map<String, Long> fromKeys = new LinkedHashMap<>();
            c.fromKeys.forEach((id, n) -> fromKeys.put(family + id, n));
            counts.add(new ColumnCounts(t.rule().column(), c.reencrypted, c.fromPlaintext, c.current, c.nulls, fromKeys,
                    family + keyset.primaryKeyId(t.deterministic()), c.indexed));
        }
        return new Result(table.toString(), scanned, updated, batches, List.copyOf(counts), dryRun);
    }

    /** The value to store instead of {@code raw}, or null when it stays as it is. */
    /** @param row the row, for messages: "customers.id = 7" (its key is never protected) */
    private Object rewrite(Target t, Object raw, String row) throws SQLException {
        if (raw == null) {
            t.tally().nulls++;
            return null;
        }
        byte[] ciphertext = t.storage() == Storage.BYTEA ? (byte[]) raw : base64OrNull((String) raw);
        byte[] plaintext = null;
        boolean joining = false;  // under the column's own binding, from before the policy put it in a join group
        if (ciphertext != null) {
            try {
                plaintext = t.cipher().decrypt(ciphertext);
            } catch (GeneralSecurityException e) {
                plaintext = null;
            }
            if (plaintext == null && t.former() != null) {
                try {
                    plaintext = t.former().decrypt(ciphertext);
                    joining = true;
                } catch (GeneralSecurityException e) {
                    plaintext = null;
                }
            }
        }
        byte[] rewritten;
        t.tally().plaintext = plaintext;
        if (plaintext != null) {
            if (!joining && keyset.isUnderPrimaryKey(ciphertext, t.deterministic())) {
                t.tally().current++;
                return null;
            }
            rewritten = t.cipher().encrypt(plaintext);
            t.tally().reencrypted++;
            String from = keyset.keyIdOf(ciphertext, t.deterministic());
            t.tally().fromKeys.merge(from == null ? "unknown" : from, 1L, Long::sum);
        } else if (t.fromPlaintext() && !keyset.hasPrefixOfAnyKey(ciphertext, t.deterministic())) {
            t.tally().plaintext = plaintextBytes(t, raw, row);
            rewritten = t.cipher().encrypt(t.tally().plaintext);
            t.tally().fromPlaintext++;
        } else {
            String why = ciphertext != null && keyset.hasPrefixOfAnyKey(ciphertext, t.deterministic())
                    ? "it was encrypted under a key of this keyset that is no longer enabled, or was modified"
                    : "it is not ciphertext of this column under any enabled key (if the column holds plaintext"
                            + " being newly protected, name it with --from-plaintext " + t.rule().column() + ")";
            throw SqlStates.of(SqlStates.DATA_CORRUPTED, "cannot re-encrypt " + t.rule().qualifiedName() + " at "
                    + row + ": " + why);
        }
        return t.storage() == Storage.BYTEA ? rewritten : Base64.getEncoder().encodeToString(rewritten);
    }

    /** The match tokens of the value {@link #rewrite} just read for {@code t} (null for NULL). */
    private static long[] companion(Target t, String row) throws SQLException {
        byte[] plaintext = t.tally().plaintext;
        if (plaintext == null) return null;
        try {
            return t.match().valueTokens((String) ValueCodec.decode(LogicalType.TEXT, plaintext));
        } catch (IllegalArgumentException e) {
            throw SqlStates.of(SqlStates.DATA_CORRUPTED, "cannot index " + t.rule().qualifiedName() + " at " + row
                    + ": " + e.getMessage());
        }
    }

    /**
     * A new right ciphertext of the order index for the value {@link #rewrite} just read for {@code t}, or null when
     * {@code stored} is in step with it (it compares equal to the value's left ciphertext) or the value is NULL. A
     * right ciphertext is randomized, so one in step is kept rather than rewritten on every run.
     */
    private static byte[] orderCompanion(Target t, byte[] stored, String row) throws SQLException {
        byte[] plaintext = t.tally().plaintext;
        if (plaintext == null) return null;
        try {
            Object value = ValueCodec.decode(t.type(), plaintext);
            if (stored != null && stored.length == t.order().rightSize()) {
                try {
                    if (dev.warden.crypto.LewiWuBlockOre.compare(t.order().encryptLeft(value), stored) == 0) return null;
                } catch (IllegalArgumentException e) {
                    // not a right ciphertext of this index: written anew below
                }
            }
            return t.order().encrypt(value).right();
        } catch (IllegalArgumentException e) {
            throw SqlStates.of(SqlStates.DATA_CORRUPTED, "cannot index " + t.rule().qualifiedName() + " (order: true)"
                    + " at " + row + ": " + e.getMessage());
        }
    }

    private static boolean sameTokens(long[] tokens, java.sql.Array stored) throws SQLException {
        if (tokens == null || stored == null) return tokens == null && stored == null;
        Object[] values = (Object[]) stored.getArray();
        long[] sorted = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) return false;
            sorted[i] = ((Number) values[i]).longValue();
        }
        java.util.Arrays.sort(sorted);
        return java.util.Arrays.equals(tokens, sorted);
    }

    /** As {@link ProtectedColumn} encodes: a randomized numeric keeps its scale, a deterministic one is canonical. */
    private static byte[] encode(Target t, Object value) {
        return t.rule().encryption() == Encryption.DETERMINISTIC ? ValueCodec.encode(t.type(), value)
                : ValueCodec.encodeAsWritten(t.type(), value);
    }

    private static byte[] plaintextBytes(Target t, Object raw, String row) throws SQLException {
        try {
            if (raw instanceof byte[] bytes) {
                if (t.type() == LogicalType.BYTES) return bytes;
                String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                return encode(t, text);
            }
            return encode(t, raw);
        } catch (CharacterCodingException | IllegalArgumentException e) {
            // the codec's message names the type, never the value
            throw SqlStates.of(SqlStates.INVALID_VALUE, "plaintext of " + t.rule().qualifiedName() + " at " + row
                    + " is not a valid " + t.type().name().toLowerCase(Locale.ROOT)
                    + " value" + (e instanceof IllegalArgumentException ? ": " + e.getMessage() : " (not UTF-8)"));
        }
    }

    private static void bind(PreparedStatement ps, int index, Target t, Object value) throws SQLException {
        if (value == null) ps.setNull(index, t.storage() == Storage.BYTEA ? java.sql.Types.BINARY : java.sql.Types.VARCHAR);
        else if (value instanceof byte[] bytes) ps.setBytes(index, bytes);
        else ps.setString(index, (String) value);
    }

    /** The database's errors, stripped of the row values they echo (a trigger's RAISE, a failing row). */
    private static void execute(PreparedStatement write, String row, ServerErrorRedactor errors) throws SQLException {
        try {
            write.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                // the server's detail quotes the colliding (ciphertext) key: not repeated here
                throw new SQLException("Warden: re-encrypting " + row + " collides with another row on a unique deterministic column: the same value was"
                        + " written under the old and the new key after the rotation; remove the duplicate row"
                        + " and run again", "23505");
            }
            throw errors.redact(e, true);
        }
    }

    /**
     * The table's primary key columns in key order (PostgreSQL: from the catalog, so composite keys work;
     * elsewhere the single-column key the live catalog knows), or null when it has none.
     */
    private static PrimaryKey primaryKey(Connection connection, TableName table, LiveCatalog.TableInfo info)
            throws SQLException {
        if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) {
            return info.primaryKey() == null ? null : new PrimaryKey(List.of(info.primaryKey()));
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(PG_PRIMARY_KEY_COLUMNS)) {
            ps.setString(1, (table.schema() == null ? "" : quote(table.schema()) + ".") + quote(table.name()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) columns.add(rs.getString(1));
            }
        }
        return columns.isEmpty() ? null : new PrimaryKey(List.copyOf(columns));
    }

    private static final String PG_PRIMARY_KEY_COLUMNS = """
            SELECT a.attname
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
             WHERE i.indrelid = to_regclass(?) AND i.indisprimary
             ORDER BY array_position(i.indkey::int2[], a.attnum)""";

    /** The primary key rows are read in order of, and updated by: one column or several (compared as a row). */
    private record PrimaryKey(List<String> columns) {
        /** "id" or "order_id", "line" (quoted), for SELECT and ORDER BY. */
        String list() {
            StringBuilder b = new StringBuilder();
            for (String c : columns) b.append(b.isEmpty() ? "" : ", ").append(quote(c));
            return b.toString();
        }

        /** Rows after the last one read: {@code "id" > ?}, or {@code ("a", "b") > (?, ?)} (row order = ORDER BY). */
        String after() {
            if (columns.size() == 1) return quote(columns.get(0)) + " > ?";
            return "(" + list() + ") > (" + "?, ".repeat(columns.size() - 1) + "?)";
        }

        /** {@code "a" = ? AND "b" = ?}. */
        String match() {
            StringBuilder b = new StringBuilder();
            for (String c : columns) b.append(b.isEmpty() ? "" : " AND ").append(quote(c)).append(" = ?");
            return b.toString();
        }

        /** "customers.id = 7" or "order_lines.(order_id, line) = (7, 2)": key values are never protected. */
        String describe(TableName table, Object[] values) {
            if (columns.size() == 1) return table + "." + columns.get(0) + " = " + values[0];
            StringBuilder v = new StringBuilder();
            for (Object value : values) v.append(v.isEmpty() ? "" : ", ").append(value);
            return table + ".(" + String.join(", ", columns) + ") = (" + v + ")";
        }
    }

    private static Object[] withKey(Object[] values, Object key) {
        Object[] row = java.util.Arrays.copyOf(values, values.length + 1);
        row[values.length] = key;
        return row;
    }

    private static byte[] base64OrNull(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static TableName tableName(String name) throws SQLException {
        String[] parts = name.strip().toLowerCase(Locale.ROOT).split("\\.");
        if (parts.length == 1 && !parts[0].isEmpty()) return new TableName(null, parts[0]);
        if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) return new TableName(parts[0], parts[1]);
        throw SqlStates.unsupported("table name " + name + " is not table or schema.table");
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}

package dev.warden.engine;

import dev.warden.audit.AuditSink;
import dev.warden.crypto.ColumnCipher;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.metrics.EngineMeters;
import dev.warden.metrics.MetricsExport;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import dev.warden.policy.PolicyLoader;
import dev.warden.sql.LexedSql;
import dev.warden.sql.OutputColumn;
import dev.warden.sql.Plan;
import dev.warden.sql.Slot;
import dev.warden.sql.SqlAnalyzer;
import dev.warden.sql.SqlLexer;
import dev.warden.sql.StatementKind;
import dev.warden.sql.TableName;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that composes policy, sql, crypto and audit. One engine per policy and master key, shared
 * by every connection that names them; thread-safe.
 *
 * <p>The hot path of {@link #guard}: lex (about a microsecond), then, only when the text mentions a
 * protected table, a cache lookup by normalised text and role; JSqlParser runs once per distinct text.
 *
 * <p>The keyset is replaced whole when its file changes ({@link #reloadKeyset}, and every
 * {@code keyset-reload} of the policy on a background thread, see {@link KeysetReloader}): statements
 * compiled from then on use the new keys, a result already being read finishes with the keys it started
 * with, and a statement prepared before the reload is given the new keys at its next bind or execution
 * ({@link #current}).
 */
public final class WardenEngine implements AutoCloseable {

    private static final Map<EngineConfig, WardenEngine> ENGINES = new ConcurrentHashMap<>();
    /**
     * The policy files (real paths) some engine of this process has enforced: another engine may not open one of
     * them in observe mode (another spelling of the path, another master key reference), as a reload may not
     * switch to it. Turning protection off takes a restart.
     */
    private static final Set<java.nio.file.Path> ENFORCED_FILES = ConcurrentHashMap.newKeySet();
    private static final System.Logger LOG = System.getLogger("dev.warden.policy");
    static final String OBSERVE_PROTECTS_NOTHING = "statements run as the application wrote them and nothing is"
            + " encrypted, masked or refused (this protects nothing; what enforcement would change is audited as"
            + " would-refuse, would-mask and would-encrypt)";
    private static final Pattern SET_PURPOSE = Pattern.compile(
            "(?is)\\s*(?:SET\\s+(?:SESSION\\s+)?warden\\.purpose\\s*(?:=|TO)\\s*\\?|RESET\\s+warden\\.purpose)\\s*;?\\s*");

    /**
     * The policy in use, replaced whole by {@link #installPolicy}: every guard is compiled under the one value
     * read when it starts, is tagged with it, and is compiled again if the policy changed meanwhile (see
     * {@link #guard(Session, Connection, String, LexedSql, boolean, boolean)}), so no statement mixes two policies.
     */
    private volatile Policy policy;
    private final PolicyReloader policyReloader;   // null when the policy is not a file (a classpath resource)
    private final AtomicReference<WardenKeyset> keys;  // the keyset in use; holds null when nothing is encrypted
    private final KeysetReloader reloader;              // null when nothing is encrypted
    private final AuditSink auditSink;  // null: no trail configured
    private final SqlAnalyzer analyzer = new SqlAnalyzer();
    private final DatabaseUserCheck userCheck = new DatabaseUserCheck();
    private final Map<String, DatabaseState> databases = new ConcurrentHashMap<>();
    private volatile TrustedNames trustedFunctionNames;  // bare names of the policy's functions: section
    private volatile ServerErrorRedactor errors;
    private final EngineMeters meters;
    private volatile AutoCloseable metricsExport = () -> { };  // set by open once the engine is whole
    private volatile java.nio.file.Path policyFile;  // the policy file's real path; null: a classpath resource

    /** The bare names of a policy's trusted functions, computed once per policy. */
    private record TrustedNames(Policy policy, Set<String> names) {
        static TrustedNames of(Policy policy) {
            Set<String> trusted = new java.util.HashSet<>();
            for (dev.warden.policy.TrustedFunction f : policy.trustedFunctions().values()) trusted.add(f.name());
            return new TrustedNames(policy, Set.copyOf(trusted));
        }
    }

    /** Where the keyset in use came from, for the engine to follow changes of its file. */
    private record KeysetSource(MasterKey masterKey, KeysetReloader.FileContent content) {}

    private WardenEngine(Policy policy, String policyLocation, AtomicReference<WardenKeyset> keys, KeysetSource source,
                         AuditSink auditSink) {
        this.policy = policy;
        this.keys = keys;
        this.auditSink = auditSink;
        this.trustedFunctionNames = TrustedNames.of(policy);
        this.errors = new ServerErrorRedactor(policy);
        this.meters = new EngineMeters(policyLocation, KINDS, REFUSAL_STATES);
        if (auditSink != null) {
            meters.readAuditFrom(auditSink::queuedEvents, auditSink::eventsWritten, auditSink::eventsDropped,
                    () -> auditSink.isHealthy() && !auditSink.isStopped());
        }
        this.reloader = source == null ? null : new KeysetReloader(policy.keysetPath(), source.masterKey(),
                source.content(), policy.keysetReload(), keys::get, this::install);
        java.nio.file.Path policyFile = PolicyReloader.fileOf(policyLocation);
        this.policyReloader = policyFile == null ? null : new PolicyReloader(policyFile, policyLocation,
                policy.policyReload(), () -> this.policy, next -> PolicySuccession.whyNot(this.policy, next, keys.get()),
                this::installPolicy, this::policyRejected);
    }

    /** The shared engine for {@code config}, opened on first use. */
    public static WardenEngine forConfig(EngineConfig config) throws SQLException {
        WardenEngine engine = ENGINES.get(config);
        if (engine != null) return engine;
        synchronized (ENGINES) {
            engine = ENGINES.get(config);
            if (engine == null) {
                engine = open(config, null);
                ENGINES.put(config, engine);
            }
            return engine;
        }
    }

    /** The statement kinds the meters count by: the analyser's, OTHER (the last) for anything not analysed. */
    private static final List<String> KINDS = java.util.Arrays.stream(StatementKind.values()).map(Enum::name).toList();
    /** The SQLStates refusals are counted by; any other is counted as {@value EngineMeters#OTHER_STATE}. */
    private static final List<String> REFUSAL_STATES = List.of(SqlStates.DENIED, SqlStates.UNSUPPORTED,
            SqlStates.BAD_SESSION, SqlStates.AUDIT_UNAVAILABLE, SqlStates.KEY_UNAVAILABLE, SqlStates.DATA_CORRUPTED,
            SqlStates.INVALID_VALUE, SqlStates.POLICY_MISMATCH);

    /**
     * This engine's counters (statements, refusals, overhead, values, audit trail, reloads), for a front door
     * that publishes them itself (the gateway's /metrics); they are also published by {@link MetricsExport}.
     */
    public EngineMeters meters() {
        return meters;
    }

    /** Opens an engine; {@code auditSink} null means the trail the policy configures (or none). */
    public static WardenEngine open(EngineConfig config, AuditSink auditSink) throws SQLException {
        Policy policy;
        try {
            policy = PolicyLoader.load(config.policyLocation());
        } catch (PolicyException e) {
            // the message names the policy itself ("policy file '…' not found", "policy.yaml:3: …"): no prefix
            throw SqlStates.of(SqlStates.BAD_SESSION, e.getMessage(), e);
        }
        java.nio.file.Path realFile = realFile(config.policyLocation());
        if (policy.observation().observes() && realFile != null && ENFORCED_FILES.contains(realFile)) {
            throw SqlStates.of(SqlStates.BAD_SESSION, "policy " + policy.source() + " is in observe mode, but an engine"
                    + " of this process enforces that file: observe mode, which protects nothing, is never started"
                    + " beside it (nor by a reload); restart the process to observe");
        }
        WardenKeyset keyset = null;
        KeysetSource source = null;
        boolean encrypts = policy.columns().stream().anyMatch(c -> c.encryption() != Encryption.NONE);
        if (encrypts) {
            try {
                MasterKey masterKey = MasterKey.resolve(config.masterKeyReference());
                // opened from the bytes that are hashed, so a later check compares with exactly what is in use
                KeysetReloader.FileContent content = KeysetReloader.read(policy.keysetPath());
                keyset = WardenKeyset.read(policy.keysetPath(), content.text(), masterKey);
                source = new KeysetSource(masterKey, content);
                MatchColumns.checkKeyset(policy, keyset);
                OrderColumns.checkKeyset(policy, keyset);
            } catch (KeyException e) {
                throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, e.getMessage(), e);
            }
        }
        AtomicReference<WardenKeyset> inUse = new AtomicReference<>(keyset);
        String previousKeys = auditSink == null && keyset != null ? AuditTrails.previousPrimaryKeys(policy) : null;
        // the trail's chain follows the keyset in use: after a reload it is keyed with the new audit key
        AuditSink sink = auditSink != null ? auditSink : AuditTrails.open(policy, keyset == null ? null : inUse::get);
        if (policy.observation().observes()) LOG.log(System.Logger.Level.WARNING, observeWarning(policy));
        try {
            AuditTrails.engineEvent(sink, "policy-loaded", policy, "policy " + policy.source()
                    + (policy.observation().observes() ? " in observe mode: " + OBSERVE_PROTECTS_NOTHING : ""));
            if (keyset != null) {
                String keys = keyset.primaryKeyIds();
                AuditTrails.engineEvent(sink, AuditTrails.KEYSET_OPENED, policy,
                        "keyset " + policy.keysetPath() + ", " + AuditTrails.PRIMARY + keys);
                if (previousKeys != null && !previousKeys.equals(keys)) {
                    // the keyset was rotated since the previous run opened it
                    AuditTrails.engineEvent(sink, "key-rotated", policy, "primary keys were " + previousKeys + ", now " + keys);
                }
            }
        } catch (dev.warden.audit.AuditUnavailableException e) {
            if (sink != null) sink.close();
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail cannot be written: " + e.getMessage(), e);
        }
        WardenEngine engine = new WardenEngine(policy, config.policyLocation(), inUse, source, sink);
        if (realFile != null && !policy.observation().observes()) ENFORCED_FILES.add(realFile);
        engine.policyFile = realFile;
        if (sink != null && auditSink == null) {
            // seal the trail on a clean exit, so that verify can tell a cut tail from a finished one
            Runtime.getRuntime().addShutdownHook(new Thread(sink::close, "warden-audit-seal"));
        }
        if (engine.reloader != null) {
            KeysetReloader keysetReloader = engine.reloader;
            engine.meters.readKeysetRejectionsFrom(() -> keysetReloader.status().failures());
            keysetReloader.start();
        }
        if (engine.policyReloader != null) engine.policyReloader.start();
        engine.metricsExport = MetricsExport.publish(engine.meters);
        return engine;
    }

    /** The real path of a policy file location, or null (a classpath resource, or a path that cannot be resolved). */
    private static java.nio.file.Path realFile(String location) {
        java.nio.file.Path file = PolicyReloader.fileOf(location);
        if (file == null) return null;
        try {
            return file.toRealPath();
        } catch (java.io.IOException | RuntimeException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    /** The start-up warning of an engine whose policy is in observe mode. */
    static String observeWarning(Policy policy) {
        return "Warden: policy " + policy.source() + " is in observe mode: " + OBSERVE_PROTECTS_NOTHING + "; use it only"
                + " before protected columns hold ciphertext (reads would return stored ciphertext and writes would"
                + " store plaintext beside it), then set mode: enforce and restart";
    }

    /**
     * Checks the keyset file now and, when it holds other keys than those in use, loads it as the periodic
     * check would: opened with the master key the engine started with, checked to still hold every key
     * that opens stored values (retired ones may be disabled), then used by every statement compiled from
     * now on. Useful right after {@code warden keys rotate} or {@code retire}, and in tests.
     *
     * @return true when a new keyset is now in use, false when the file holds the keys already in use (or
     *         the policy encrypts nothing)
     * @throws SQLException (58030) naming the file and why its content was not loaded; the keys in use stay
     */
    public boolean reloadKeyset() throws SQLException {
        if (reloader == null) return false;
        try {
            return reloader.check(true) == KeysetReloader.Outcome.RELOADED;
        } catch (KeyException e) {
            throw SqlStates.of(SqlStates.KEY_UNAVAILABLE, e.getMessage() + "; the keyset in use stays");
        }
    }

    /** The keys in use and how following the keyset file goes, for operators and health checks. */
    public KeysetStatus keysetStatus() {
        if (reloader == null) return new KeysetStatus(null, java.time.Duration.ZERO, "none", 0, 0, null, null);
        return reloader.status();
    }

    /**
     * Makes {@code next} the keyset in use (called by the reloader, one reload at a time). Compiled state of
     * the previous keyset is dropped; a statement compiling right now may still finish with the previous
     * keyset, into caches nothing reads any more (see {@link DatabaseState}).
     */
    private void install(WardenKeyset next) {
        WardenKeyset previous = keys.getAndSet(next);
        meters.reloaded(EngineMeters.Reloaded.KEYSET);
        for (DatabaseState database : databases.values()) database.keyed(policy, next);
        try {
            AuditTrails.engineEvent(auditSink, AuditTrails.KEYSET_RELOADED, policy, "keyset " + policy.keysetPath()
                    + " reloaded (was " + previous.primaryKeyIds() + "; keys " + next.describeKeys() + "), "
                    + AuditTrails.PRIMARY + next.primaryKeyIds());
        } catch (dev.warden.audit.AuditUnavailableException e) {
            // the new keys are in use either way; the sink reports its own health
        }
    }

    /**
     * Checks the policy file now and, when it holds another policy than the one in use, loads it as the
     * periodic check ({@code policy-reload}) would: parsed and validated, checked to be a possible successor
     * ({@link PolicySuccession}), then used by every statement compiled from now on. A statement prepared
     * before is compiled again under it at its next bind or execution; a session whose role or purpose it no
     * longer allows is refused (28000) at its next statement.
     *
     * @return true when a new policy is now in use, false when the file holds the policy in use (or the policy
     *         is a classpath resource, which never changes)
     * @throws SQLException (28000, as a policy that does not load at start-up) naming the file, line and rule,
     *                      or why the new policy may not replace the one in use; the policy in use stays
     */
    public boolean reloadPolicy() throws SQLException {
        if (policyReloader == null) return false;
        try {
            return policyReloader.check(true) == PolicyReloader.Outcome.RELOADED;
        } catch (PolicyException e) {
            throw SqlStates.of(SqlStates.BAD_SESSION, e.getMessage() + "; the policy in use stays");
        }
    }

    /**
     * Why the policy file's current content is not in use (it was rejected), or null when the file holds the
     * policy in use or has not changed since; for operators and health checks.
     */
    public String policyReloadError() {
        return policyReloader == null ? null : policyReloader.lastError();
    }

    /**
     * Makes {@code next} the policy in use (called by the policy reloader, one reload at a time). Every cache of
     * compiled statements is keyed on the policy, so the next statement of each database starts new ones, and
     * every guard compiled under the previous policy is compiled again before it is used ({@link #isCurrent}).
     */
    private void installPolicy(Policy next) {
        Policy previous = policy;
        if (policyFile != null && !next.observation().observes()) ENFORCED_FILES.add(policyFile);
        trustedFunctionNames = TrustedNames.of(next);
        errors = new ServerErrorRedactor(next);
        policy = next;  // last: from here on, a guard compiling under the previous policy is compiled again
        meters.reloaded(EngineMeters.Reloaded.POLICY);
        for (DatabaseState database : databases.values()) database.keyed(next, keys.get());
        try {
            AuditTrails.engineEvent(auditSink, AuditTrails.POLICY_RELOADED, next, "policy " + next.source()
                    + " reloaded: version " + previous.version() + " replaced by " + next.version() + " ("
                    + next.roles().size() + " roles, " + next.columns().size() + " protected columns)");
        } catch (dev.warden.audit.AuditUnavailableException e) {
            // the new policy is in use either way; the sink reports its own health
        }
    }

    /** Records, once per distinct problem, that a new content of the policy file was not loaded. */
    private void policyRejected(String reason) {
        meters.policyRejected();
        try {
            AuditTrails.engineEvent(auditSink, AuditTrails.POLICY_REJECTED, policy, reason
                    + "; the policy in use (version " + policy.version() + ") stays", "refused");
        } catch (dev.warden.audit.AuditUnavailableException e) {
            // logged by the reloader either way; the sink reports its own health
        }
    }

    public Policy policy() {
        return policy;
    }

    /**
     * Starts a session, checking the role exists and may act for the purpose. {@code database} identifies
     * the live database (its URL without credentials): sessions on the same database share table metadata
     * and analysed plans.
     */
    public Session openSession(String database, String user, String role, String purpose, String client,
                               String clientAddress) throws SQLException {
        Policy checked = policy;
        checkSession(checked, role, purpose);
        DatabaseState state = databases.computeIfAbsent(database == null ? "" : database,
                d -> new DatabaseState(checked, keys.get()));
        Session session = new Session(state, user, role, purpose, client, clientAddress);
        session.checkedAgainst(checked);
        return session;
    }

    /**
     * Warns, once per database and user of this engine, when {@code connection}'s user is a database superuser
     * or may act with server-file powers, which Warden cannot stop (see {@link DatabaseUserCheck}); one catalog
     * query at the first connection, nothing afterwards. Never fails. Returns the warning logged now, or null.
     */
    public String warnAboutDatabaseUser(Session session, Connection connection) {
        return userCheck.checkOnce(session.database(), session.user(), connection);
    }

    private void checkSession(String role, String purpose) throws SQLException {
        checkSession(policy, role, purpose);
    }

    /**
     * Checks, without opening anything, that the policy in use has {@code role} and lets it act for
     * {@code purpose}: a front door refuses a login at once (28000) when a reloaded policy removed its role,
     * instead of failing to open a backend connection for it.
     */
    public void checkRole(String role, String purpose) throws SQLException {
        checkSession(policy, role, purpose);
    }

    private static void checkSession(Policy policy, String role, String purpose) throws SQLException {
        if (role == null || role.isBlank()) {
            throw SqlStates.of(SqlStates.BAD_SESSION, "no role given: set the connection property warden.role"
                    + " to one of the roles of " + policy.source());
        }
        try {
            policy.checkSession(role, purpose);
        } catch (PolicyException e) {
            throw SqlStates.of(SqlStates.BAD_SESSION, e.getMessage());
        }
    }

    /**
     * A session opened (or last checked) under another policy: its role and purpose are checked against
     * {@code now}, so that a role or purpose a reloaded policy removed acts no more (28000, audited).
     */
    private void checkSessionAfterReload(Session session, Policy now, LexedSql lexed, boolean auditRefusal)
            throws SQLException {
        try {
            checkSession(now, session.role(), session.purpose());
        } catch (SQLException e) {
            SQLException refusal = SqlStates.of(SqlStates.BAD_SESSION, "the policy was reloaded (version "
                    + now.version() + ") while this connection was open, and " + e.getMessage());
            if (auditRefusal) StatementAudit.refused(auditSink, meters, session, lexed.normalized(), null, now.version(), refusal);
            throw refusal;
        }
        session.checkedAgainst(now);
    }

    /**
     * Makes {@code sql} safe for {@code session}: analyses it (cached), applies the policy and encrypts its
     * protected inline literals. A refused statement is audited here and raised as an SQLException.
     *
     * @param connection the real connection, used only to read table metadata on a cache miss
     */
    public GuardedStatement guard(Session session, Connection connection, String sql) throws SQLException {
        long start = meters.guardStarting();
        try {
            return guard(session, connection, sql, SqlLexer.lex(sql), false, true);
        } finally {
            meters.guardEnded(start);
        }
    }

    /**
     * {@link #guard} for a text the application prepares, which it usually prepares again and again: the
     * guard is cached by exact text, role and purpose (see {@link DatabaseState#prepared}).
     */
    public GuardedStatement guardPrepared(Session session, Connection connection, String sql) throws SQLException {
        long start = meters.guardStarting();
        try {
            return guardPrepared(session, connection, sql, false, true);
        } finally {
            meters.guardEnded(start);
        }
    }

    /**
     * {@link #guardPrepared}.
     *
     * @param withholdDenied see {@link #guard(Session, Connection, String, LexedSql, boolean, boolean)}
     * @param auditRefusal   false: a refusal is thrown without an audit event
     */
    private GuardedStatement guardPrepared(Session session, Connection connection, String sql, boolean withholdDenied,
                                           boolean auditRefusal) throws SQLException {
        DatabaseState database = session.database();
        Policy now = policy;
        DatabaseState.Keyed keyed = database.keyed(now, keys.get());
        // a guard passed through depends on the text alone; an analysed one (observed ones too) also on what the
        // session's names resolve to, known without a round trip unless the session has temporary relations (then
        // not cached)
        DatabaseState.StatementKey passed = new DatabaseState.StatementKey(sql, session.role(), session.purpose(),
                withholdDenied, null);
        GuardedStatement cached = keyed.prepared.getIfPresent(passed);
        if (cached == null) {
            SearchScope.SearchPath path = session.names().known(database);
            if (path != null) {
                cached = keyed.prepared.getIfPresent(new DatabaseState.StatementKey(sql, session.role(),
                        session.purpose(), withholdDenied, path));
            }
        }
        if (cached != null && session.checkedAgainst() == now) {
            checkAuditHealth(cached.compiled());
            return cached;
        }
        GuardedStatement guarded = guard(session, connection, sql, SqlLexer.lex(sql), withholdDenied, auditRefusal);
        // a text with a backslash in a '...' string is checked against standard_conforming_strings every time
        if (guarded.local() == GuardedStatement.Local.NONE && guarded.reusable()
                && !guarded.lexed().backslashInPlainString()
                && !guarded.compiled().changesSchema() && !startsWithDdlKeyword(sql)
                && (guarded.keyset() == null || guarded.keyset() == keyed.keyset) && guarded.policy() == keyed.policy) {
            // keyed as the verdict it carries was: observe mode's guard runs as written (passed through) but
            // records what enforcement would do to the tables the names resolve to now
            boolean onTextAlone = guarded.compiled() == PASS_THROUGH && guarded.observed() == null;
            SearchScope scope = onTextAlone ? null : session.names().known(database);
            if (onTextAlone || scope != null) {
                keyed.prepared.put(new DatabaseState.StatementKey(sql, session.role(), session.purpose(),
                        withholdDenied, scope), guarded);
            }
        }
        return guarded;
    }

    /**
     * {@link #guard} (or {@link #guardPrepared}) for an execution whose generated keys the application asks
     * for. A statement that touches no protected table is guarded as usual and the real driver asked as the
     * application asked. On a protected table, an INSERT, UPDATE or DELETE without a RETURNING clause gets the
     * one pgjdbc would append (see {@link GeneratedKeys}) and is guarded with it, so the keys are decoded,
     * masked or refused (42501) by the read rules and audited like any RETURNING; one that has a RETURNING
     * keeps it. Keys by column index on a protected table are refused (0A000): pgjdbc does not support them,
     * and another driver would return stored ciphertext. Any other statement is run without generated keys.
     *
     * @param quoteNames whether the real driver quotes the column names it appends (pgjdbc's
     *                   {@code quoteReturningIdentifiers}, true by default)
     */
    public GuardedStatement guardForKeys(Session session, Connection connection, String sql,
                                         GeneratedKeys.Request request, boolean quoteNames, boolean prepared)
            throws SQLException {
        GuardedStatement original = prepared ? guardPrepared(session, connection, sql) : guard(session, connection, sql);
        if (!original.touchesProtected() || original.local() != GuardedStatement.Local.NONE) {
            return original.withGeneratedKeys(GeneratedKeys.AS_ASKED);
        }
        if (request.invalidFlagMessage() != null) throw refusedForKeys(session, original, request.invalidFlagMessage());
        if (request.nothing()) return original.withGeneratedKeys(GeneratedKeys.NONE);
        DatabaseState database = session.database();
        StatementScope scope = StatementScope.of(session, connection, original.lexed().normalized());
        Plan plan = plan(database, scope, original.lexed());
        if (request.byIndex()) {
            throw refusedForKeys(session, original, "generated keys by column index are not supported on a"
                    + " protected table" + indexedColumns(scope, plan, request.indexes())
                    + ": name the columns instead, e.g. prepareStatement(sql, new String[] {\"id\"})");
        }
        StatementKind kind = plan.kind();
        if (kind != StatementKind.INSERT && kind != StatementKind.UPDATE && kind != StatementKind.DELETE) {
            return original.withGeneratedKeys(GeneratedKeys.NONE);
        }
        if (!plan.outputs().isEmpty()) {
            // its own RETURNING: the real driver appends nothing and returns that clause's rows as the keys
            return original.withGeneratedKeys(GeneratedKeys.returning(plan.outputs().size()));
        }
        String text = GeneratedKeys.withReturning(sql, request, quoteNames);
        // every column (RETURN_GENERATED_KEYS): the application named none, so a column this role may not read
        // is withheld (each read of it refused) rather than the whole statement, as identity inserts of ORMs
        // ask for every column and read only the key
        boolean withholdDenied = request.everyColumn();
        GuardedStatement withReturning = prepared ? guardPrepared(session, connection, text, withholdDenied, true)
                : guard(session, connection, text, SqlLexer.lex(text), withholdDenied, true);
        Plan returning = plan(database, StatementScope.of(session, connection, withReturning.lexed().normalized()),
                withReturning.lexed());
        return withReturning.withGeneratedKeys(GeneratedKeys.returning(returning.outputs().size()));
    }

    /** Audits the refusal of a generated-keys request on a statement the engine otherwise allowed. */
    private SQLException refusedForKeys(Session session, GuardedStatement original, String message) throws SQLException {
        SQLException refusal = SqlStates.unsupported(message);
        StatementAudit.refused(auditSink, meters, session, original.fingerprint(), original.compiled(), policy.version(), refusal);
        return refusal;
    }

    /** For a refusal: which table.column each index would name, where it is a column of the written table. */
    private String indexedColumns(StatementScope scope, Plan plan, int[] indexes) {
        TableName target = plan.writeTarget();
        LiveCatalog.TableInfo info = target == null ? null : scope.lookup().lookup(target);
        if (info == null) return "";
        StringBuilder named = new StringBuilder();
        for (int index : indexes) {
            if (index < 1 || index > info.columns().size()) continue;
            String column = info.columns().get(index - 1);
            boolean isProtected = policy.column(target.schema(), target.name(), column).isPresent();
            named.append(named.isEmpty() ? " (" : ", ").append("index ").append(index).append(" is ")
                    .append(target.name()).append('.').append(column).append(isProtected ? ", protected" : "");
        }
        return named.isEmpty() ? " " + target.name() : " " + target.name() + named + ")";
    }

    /**
     * The analysis of a text, cached by its normalised form and what the session's names resolved to: a session
     * whose {@code customers} is its own temporary table is analysed on that table, and never shares the
     * analysis with a session whose {@code customers} is another relation.
     */
    private Plan plan(DatabaseState database, StatementScope scope, LexedSql lexed) {
        String text = lexed.normalized();
        if (scope.key() != null) {
            Plan cached = database.plans.getIfPresent(new DatabaseState.PlanKey(scope.key(), text));
            if (cached != null) return cached;
        }
        Plan plan = analyzer.analyze(lexed, MatchColumns.hidingCompanions(scope.lookup(), policy));
        scope.analysed(database, text, plan);
        // a parse that timed out (or found the parser busy) is refused now, but may pass another time
        if (scope.cacheable() && !plan.transientProblem()) database.plans.put(new DatabaseState.PlanKey(scope.key(), text), plan);
        return plan;
    }

    /**
     * The guard a statement prepared as {@code guarded} must use now: {@code guarded} itself, unless the
     * engine reloaded its keyset since it was compiled. Then it is compiled again with the keys in use; when
     * that gives the same text to send, the new guard replaces it (new values are encrypted under the new
     * primary keys, results decrypted with the new keyset). When the text differs, what the real driver
     * prepared no longer fits: an equality filter on a deterministic column goes out once per enabled key,
     * so one prepared before a rotation would miss the rows written under the new key. Such a statement is
     * refused (0A000, audited) at execution and must be prepared again; while only binding
     * ({@code executing} false) the old guard is returned, and its values never leave.
     *
     * <p>The check costs a field read and a comparison; the rest runs once per statement and reload.
     */
    public GuardedStatement current(Session session, Connection connection, GuardedStatement guarded,
                                    boolean executing) throws SQLException {
        if (isCurrent(guarded)) return guarded;
        if (!guarded.reusable() && !executing) return guarded;
        GuardedStatement fresh;
        try {
            fresh = recompiled(session, connection, guarded, executing);
        } catch (SQLException refusal) {
            if (executing) throw refusal;  // audited by guardPrepared
            return guarded;                // the execution will be refused, and audited, then
        }
        if (sendsSameText(guarded, fresh)) return fresh;
        if (!executing) return guarded;
        throw stale(session, guarded, fresh, "prepare it again");
    }

    /**
     * {@code guarded}, a prepared statement's guard, compiled again with the keys in use, for a caller that can
     * prepare {@link GuardedStatement#sql()} of the result anew when it differs (see {@link #sendsSameText}),
     * as the {@code jdbc:warden:} prepared statements do. A refusal is audited and thrown.
     */
    public GuardedStatement recompiled(Session session, Connection connection, GuardedStatement guarded)
            throws SQLException {
        return recompiled(session, connection, guarded, true);
    }

    private GuardedStatement recompiled(Session session, Connection connection, GuardedStatement guarded,
                                        boolean auditRefusal) throws SQLException {
        // generated keys: a RETURNING of every column withholds denied columns (one naming only readable columns
        // compiles alike either way)
        GeneratedKeys generatedKeys = guarded.generatedKeys();
        boolean withholdDenied = generatedKeys != null && generatedKeys.mode() == GeneratedKeys.Mode.RETURNING;
        GuardedStatement fresh = guardPrepared(session, connection, guarded.originalSql(), withholdDenied, auditRefusal);
        return generatedKeys == null ? fresh : fresh.withGeneratedKeys(generatedKeys);
    }

    /** True when {@code fresh}, recompiled from {@code guarded}, sends the text the real driver already prepared. */
    public static boolean sendsSameText(GuardedStatement guarded, GuardedStatement fresh) {
        return guarded.reusable() && fresh.sql().equals(guarded.sql());
    }

    /**
     * The refusal (0A000, audited) of an execution of {@code guarded} that the keyset reload left needing
     * another text ({@code fresh}); {@code remedy} tells the application what to do, and names no value.
     */
    public SQLException stale(Session session, GuardedStatement guarded, GuardedStatement fresh, String remedy)
            throws SQLException {
        WardenKeyset compiledWith = guarded.keyset();
        if (guarded.policy() != fresh.policy()) {
            SQLException stale = SqlStates.unsupported("the policy was reloaded (version " + guarded.policy().version()
                    + " replaced by " + fresh.policy().version() + ") after this statement was prepared and it must"
                    + " now be sent as another text: " + remedy);
            StatementAudit.refused(auditSink, meters, session, guarded.fingerprint(), fresh.compiled(), fresh.policy().version(),
                    stale);
            return stale;
        }
        String why = guarded.reusable() && fresh.keyset() != null && compiledWith != null
                ? "equality filters on deterministic columns are sent once per enabled key, "
                        + fresh.keyset().enabledDeterministicKeys() + " now against "
                        + compiledWith.enabledDeterministicKeys() + " when it was prepared"
                : "protected values written into its text were encrypted under the previous keys";
        SQLException stale = SqlStates.unsupported("the keyset was reloaded after this statement was prepared and "
                + "it must now be sent as another text (" + why + "): " + remedy);
        StatementAudit.refused(auditSink, meters, session, guarded.fingerprint(), fresh.compiled(), policy.version(), stale);
        return stale;
    }

    /**
     * Refuses (0A000, audited) an execution of the prepared {@code guarded} when the session's table names no
     * longer resolve as they did when it was analysed: it set search_path, or created or dropped a temporary
     * table, after preparing it (the server re-plans the statement on the relations its names mean now, which
     * another analysis would have to judge). Costs two field reads while the session changed nothing; one round
     * trip while the session has temporary relations.
     */
    public void checkNamesUnchanged(Session session, Connection connection, GuardedStatement guarded)
            throws SQLException {
        SearchScope analysed = guarded.scope();
        if (analysed == null) return;
        DatabaseState database = session.database();
        SearchScope.SearchPath path = session.names().known(database);
        if (path == analysed) return;
        try {
            path = session.names().current(connection, database);
            if (path == analysed) return;
            if (path == null && analysed instanceof SearchScope.Relations relations
                    && java.util.Arrays.equals(relations.oids(), database.catalog.resolveLive(connection, relations.names()))) {
                return;
            }
        } catch (SQLException e) {
            // e.g. in a failed transaction, where the execution would fail anyway: refused here, unread
        }
        SQLException refusal = SqlStates.unsupported("this statement was prepared before the session changed what"
                + " its table names resolve to (search_path, a temporary table, a schema change), or that cannot be"
                + " read now: prepare it again");
        auditRefusal(session, guarded, refusal);
        throw refusal;
    }

    /**
     * Refuses (0A000, audited) adding {@code next}, which touches a protected table, to a batch after a statement
     * that may change what the session's table names resolve to: {@code next} was analysed as they resolve now,
     * and would run after the change.
     */
    public void checkBatchedAfter(Session session, Connection connection, List<GuardedStatement> earlier,
                                  GuardedStatement next) throws SQLException {
        if (!earlier.isEmpty() && next.lexed().backslashInPlainString()) {
            // an earlier statement of the batch may turn standard_conforming_strings off before the server parses
            // this one, which was judged as the server read it when added
            checkStringsReadAlike(session, connection, next, true);
        }
        if (!next.touchesProtected()) return;
        for (GuardedStatement statement : earlier) {
            if (statement.namesEffect() == NameResolution.Effect.CHANGES_NAMES) {
                SQLException refusal = namesChangedInOneCall();
                auditRefusal(session, next, refusal);
                throw refusal;
            }
        }
    }

    private static SQLException namesChangedInOneCall() {
        return SqlStates.unsupported("a statement that may change what table names resolve to (search_path, a"
                + " temporary object, DISCARD, SET ROLE) cannot run in one call or batch before a statement on a"
                + " protected table: send it on its own first");
    }

    /** Audits the refusal, by a front door, of an execution of {@code guarded} (one event, as any refusal). */
    public void auditRefusal(Session session, GuardedStatement guarded, SQLException refusal) throws SQLException {
        StatementAudit.refused(auditSink, meters, session, guarded.fingerprint(), guarded.compiled(), policy.version(), refusal);
    }

    /**
     * Refuses (0A000, audited) an execution of the prepared {@code guarded} whose text was analysed (it names a
     * protected table) and holds a backslash in a {@code '...'} string, while the server would read that
     * backslash as an escape: a session may turn {@code standard_conforming_strings} off after preparing, and
     * the server parses an unnamed statement's text again at each execution. Costs a set look-up otherwise.
     */
    public void checkStringsReadAlike(Session session, Connection connection, GuardedStatement guarded)
            throws SQLException {
        checkStringsReadAlike(session, connection, guarded, false);
    }

    /** @param afterOthers whether other statements run before {@code guarded} in the same call (a batch) */
    private void checkStringsReadAlike(Session session, Connection connection, GuardedStatement guarded,
                                       boolean afterOthers) throws SQLException {
        if (!guarded.lexed().backslashInPlainString()) return;
        if (guarded.compiled() == PASS_THROUGH) {
            ServerSideObjects.Snapshot objects = session.database().serverSideObjects(policy).current(connection,
                    session.database()::invalidateDerived);
            if (!readsDifferentlyOnServer(guarded.lexed(), afterOthers, connection, objects)) return;
        } else if (!backslashesMayEscape(guarded.lexed(), afterOthers, connection)) {
            return;
        }
        SQLException refusal = backslashRefusal();
        auditRefusal(session, guarded, refusal);
        throw refusal;
    }

    /**
     * Whether {@code sql}, as {@code session} would run it, names no protected table and no server-side object
     * that may read one (a view, a function or an operator defined outside Warden): its result then holds nothing
     * the engine would decrypt or mask. Word checks on the lexed text only (the same as {@link #guard}'s first
     * one), so "false" means "may touch one"; reads at most the server-side objects' snapshot; audits nothing.
     */
    public boolean namesNoProtectedTable(Session session, Connection connection, String sql) throws SQLException {
        LexedSql lexed = SqlLexer.lex(sql);
        Policy now = policy;
        DatabaseState database = session.database();
        ServerSideObjects.Snapshot objects = database.serverSideObjects(now).current(connection, database::invalidateDerived);
        return !lexed.mentionsAny(now.protectedTableNames()) && !lexed.mentionsAny(objects.words())
                && objects.operator(lexed.normalized()) == null;
    }

    /** Whether {@code lexed} (as Warden reads it) names nothing that makes the engine look at it. */
    private boolean passesThrough(LexedSql lexed, ServerSideObjects.Snapshot objects) {
        return !lexed.mentionsAny(policy.protectedTableNames()) && !lexed.mentionsAny(objects.words())
                && !mayComputeOutOfView(lexed) && objects.operator(lexed.normalized()) == null;
    }

    /**
     * Whether a text Warden lets through would not pass as the server reads it: with
     * {@code standard_conforming_strings} off, a backslash in a plain {@code '...'} string escapes the next
     * character, so {@code 'a\' -- '} is one string to the server but a string and a comment to the lexer, and a
     * protected table may hide in what Warden took for a comment or a string. Decided on the server's reading
     * ({@link SqlLexer#lexWithBackslashEscapes}), so such a text touching no protected table still passes as with
     * pgjdbc. Costs a round trip only for texts holding a backslash in a plain string (never cached).
     */
    private boolean readsDifferentlyOnServer(LexedSql lexed, boolean afterOthers, Connection connection,
                                             ServerSideObjects.Snapshot objects) {
        if (!backslashesMayEscape(lexed, afterOthers, connection)) return false;
        return !passesThrough(SqlLexer.lexWithBackslashEscapes(lexed.original()), objects);
    }

    /**
     * Whether the server may read a backslash in a plain {@code '...'} string of {@code lexed} as an escape:
     * {@code standard_conforming_strings} is off now, or another statement runs before (a later statement of) this
     * text in the same call. pgjdbc sends each statement of a text, and each of a batch, as its own Parse, which
     * the server reads after running the statements before it: {@code SET standard_conforming_strings = off;
     * SELECT 'a\', $$' , hkid FROM customers --$$} read the protected table in what Warden, asking the server
     * before the call, took for a dollar-quoted string. Decided by the text's shape, not by what its statements do
     * (the setting can change through SET, set_config, a function, a DO block...).
     */
    private static boolean backslashesMayEscape(LexedSql lexed, boolean afterOthers, Connection connection) {
        if (!lexed.backslashInPlainString()) return false;
        return afterOthers || lexed.statementCount() > 1 || !backslashesAreCharacters(connection);
    }

    private static SQLException backslashRefusal() {
        return SqlStates.unsupported("a '...' string in this statement holds a backslash while the server's"
                + " standard_conforming_strings is not on, or may be turned off by a statement running before it in"
                + " the same call, so the server could read the statement differently from Warden; write such"
                + " strings as E'...', turn standard_conforming_strings on, or send the statement on its own");
    }

    /**
     * Whether the server reads a backslash inside {@code '...'} as an ordinary character, as the lexer does:
     * PostgreSQL with {@code standard_conforming_strings} on (asked each time: a session may change it), or another
     * database (H2 has no backslash escapes). False when it cannot be told, e.g. in a failed transaction.
     */
    private static boolean backslashesAreCharacters(Connection connection) {
        try {
            if (!"PostgreSQL".equalsIgnoreCase(connection.getMetaData().getDatabaseProductName())) return true;
            try (java.sql.Statement s = connection.createStatement();
                 java.sql.ResultSet rs = s.executeQuery("SHOW standard_conforming_strings")) {
                return rs.next() && "on".equalsIgnoreCase(rs.getString(1));
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * True when {@code guarded} was compiled under the policy in use and depends on no key or was compiled with
     * the keyset in use; otherwise {@link #current} gives the guard to use now. Two field reads.
     */
    public boolean isCurrent(GuardedStatement guarded) {
        return guarded.policy() == policy && (guarded.keyset() == null || guarded.keyset() == keys.get());
    }

    /** True when {@code guarded} was compiled under the policy in use (whatever the keys). */
    public boolean underPolicyInUse(GuardedStatement guarded) {
        return guarded.policy() == policy;
    }

    /**
     * @param withholdDenied a result column the role may not read is kept but refused when read (42501), instead
     *                       of refusing the statement: only for generated keys of every column
     * @param auditRefusal   false: a refusal is thrown without an audit event
     */
    private GuardedStatement guard(Session session, Connection connection, String sql, LexedSql lexed,
                                   boolean withholdDenied, boolean auditRefusal) throws SQLException {
        while (true) {
            Policy now = policy;
            // the mode is read once, from the policy this statement is compiled under
            GuardedStatement guarded = now.observation().observes()
                    ? observed(now, session, connection, sql, lexed, withholdDenied)
                    : guard(now, session, connection, sql, lexed, withholdDenied, auditRefusal);
            // a policy reloaded while this statement was compiled: what it read of the policy may be of either
            // one, so it is compiled again, wholly under the new one (reloads are seconds apart at the least)
            if (policy == now) return guarded;
        }
    }

    /**
     * Observe mode: the statement is compiled exactly as enforcement compiles it, then run as the application wrote
     * it (a pass-through guard: nothing encrypted, decoded, masked or refused), carrying what enforcement would
     * have done ({@link Observed}) for its audit record. Only a trail that cannot take the record still refuses.
     */
    private GuardedStatement observed(Policy now, Session session, Connection connection, String sql, LexedSql lexed,
                                      boolean withholdDenied) throws SQLException {
        GuardedStatement enforced;
        try {
            enforced = guard(now, session, connection, sql, lexed, withholdDenied, false);
        } catch (SQLException refusal) {
            if (SqlStates.AUDIT_UNAVAILABLE.equals(refusal.getSQLState())) throw refusal;
            return asWritten(now, sql, lexed).observing(Observed.refused(refusal));
        }
        if (enforced.local() != GuardedStatement.Local.NONE || enforced.compiled() == PASS_THROUGH) return enforced;
        boolean copy = "copy".equals(SqlLexer.firstWord(lexed.normalized()));
        return asWritten(now, sql, lexed).observing(Observed.of(enforced, sql, copy));
    }

    private static GuardedStatement asWritten(Policy now, String sql, LexedSql lexed) {
        return new GuardedStatement(lexed, PASS_THROUGH, sql, null, GuardedStatement.Local.NONE, null, null, now);
    }

    /** {@link #guard(Session, Connection, String, LexedSql, boolean, boolean)} under {@code now}. */
    private GuardedStatement guard(Policy now, Session session, Connection connection, String sql, LexedSql lexed,
                                   boolean withholdDenied, boolean auditRefusal) throws SQLException {
        checkAuditStopped();
        if (session.checkedAgainst() != now) checkSessionAfterReload(session, now, lexed, auditRefusal);
        if (lexed.words().contains("warden")) {
            GuardedStatement local = localStatement(session, lexed, now);
            if (local != null) return local;
        }
        DatabaseState database = session.database();
        ServerSideObjects.Snapshot objects = database.serverSideObjects(now).current(connection, database::invalidateDerived);
        if (passesThrough(lexed, objects)) {
            if (readsDifferentlyOnServer(lexed, false, connection, objects)) {
                SQLException refusal = backslashRefusal();
                if (auditRefusal) StatementAudit.refused(auditSink, meters, session, lexed.normalized(), null, policy.version(), refusal);
                throw refusal;
            }
            if (startsWithDdlKeyword(sql)) database.invalidate();  // a table joined with a protected one may change
            else if (startsWithPrivilegeKeyword(sql)) database.privilegesChanged();  // USAGE on a schema of a path
            return new GuardedStatement(lexed, PASS_THROUGH, sql, null, GuardedStatement.Local.NONE, null, null, now);
        }
        if (backslashesMayEscape(lexed, false, connection)) {
            SQLException refusal = backslashRefusal();
            if (auditRefusal) StatementAudit.refused(auditSink, meters, session, lexed.normalized(), null, policy.version(), refusal);
            throw refusal;
        }
        DatabaseState.Keyed keyed = database.keyed(now, keys.get());
        String role = session.role();
        String purpose = session.purpose();
        CompiledStatement verdict = null;
        String toSend;
        KeyExpansion.Rendered expanded = null;
        MatchWrites.Rendered withMatch = null;
        MatchFilters.Rendered filtered = null;
        boolean literalsEncrypted = false;
        StatementScope scope;
        try {
            scope = StatementScope.of(session, connection, lexed.normalized());
            objects = objects.forSession(session.names().temporarySchema());  // its own temporary views, no other's
            verdict = verdict(database, keyed, scope, lexed, role, purpose, objects, withholdDenied);
            checkAuditHealth(verdict);
            if (verdict.isRefused()) throw verdict.refusal();
            if (lexed.statementCount() > 1 && NameResolution.effectOf(lexed) == NameResolution.Effect.CHANGES_NAMES) {
                // analysed as the names resolve before the call, run after its first statements changed them
                throw namesChangedInOneCall();
            }
            // a * or an INSERT's column list spelled out without Warden's own columns (see Plan#edits)
            LexedSql edited = lexed.withEdits(verdict.textEdits());
            if (verdict.keyExpansion() != null) {
                // after a key rotation equality values are sent once per key; array parameters get their type
                expanded = verdict.keyExpansion().render(edited, verdict.slotColumns());
                toSend = expanded.sql();
            } else if (verdict.matchFilters() != null) {
                // LIKE through match indexes: the index filters, Warden re-checks each row (see MatchFilters)
                MatchFilters filters = verdict.matchFilters();
                filtered = filters.render(edited, verdict.slotColumns(),
                        filters.anyIlike() ? ILikeFolding.of(connection) : null,
                        DatabaseCollation.of(connection));
                toSend = filtered.sql();
            } else if (verdict.matchWrites() != null) {
                // the match index is written beside each match column written (see MatchWrites)
                withMatch = verdict.matchWrites().render(edited, verdict.slotColumns());
                toSend = withMatch.sql();
            } else if (verdict.hasProtectedSlots() || edited != lexed) {
                String[] encrypted = encryptedLiterals(edited, verdict);
                literalsEncrypted = encrypted != null;
                toSend = encrypted == null && edited == lexed ? sql : edited.render(encrypted);
            } else {
                toSend = sql;
            }
        } catch (SQLException refusal) {
            // refused, or the policy does not match the live table: still exactly one audit event
            if (auditRefusal && !SqlStates.AUDIT_UNAVAILABLE.equals(refusal.getSQLState())) {
                StatementAudit.refused(auditSink, meters, session, lexed.normalized(), verdict, policy.version(), refusal);
            }
            throw refusal;
        }
        ProtectedColumn[] parameterColumns = GuardedStatement.parameterColumns(lexed, verdict);
        if (filtered != null) {
            return new GuardedStatement(lexed, verdict, toSend, parameterColumns, filtered.targets(),
                    !filtered.literalsEncrypted(), GuardedStatement.Local.NONE, null, keyed.keyset, now)
                    .withMatchFilter(filtered).withScope(scope.key());
        }
        if (withMatch != null) {
            return new GuardedStatement(lexed, verdict, toSend, parameterColumns, withMatch.targets(),
                    !withMatch.literalsEncrypted(), GuardedStatement.Local.NONE, null, keyed.keyset, now)
                    .withMatchCompanions(withMatch.companions()).withScope(scope.key());
        }
        if (expanded != null) {
            return new GuardedStatement(lexed, verdict, toSend, parameterColumns, expanded.targets(),
                    !expanded.literalsEncrypted(), GuardedStatement.Local.NONE, null, keyed.keyset, now)
                    .withScope(scope.key());
        }
        return new GuardedStatement(lexed, verdict, toSend, parameterColumns, null, !literalsEncrypted,
                GuardedStatement.Local.NONE, null, keyed.keyset, now).withScope(scope.key());
    }

    /**
     * Whether a statement naming no protected table must still be analysed: it may name a {@link RefusedBuiltins
     * refused built-in}, hand the server code ({@code DO}, {@code CREATE FUNCTION/PROCEDURE}, {@code COPY} with a
     * file or program), or call a function the policy trusts (audited). Word checks only, about as cheap as the
     * lexer's "mentions a protected table" check; the analysis that follows decides.
     */
    private boolean mayComputeOutOfView(LexedSql lexed) {
        Set<String> words = lexed.words();
        if (words.contains("function") || words.contains("procedure") || words.contains("copy")) return true;
        if (words.contains("do") && (lexed.statementCount() > 1
                || "do".equals(SqlLexer.firstWord(lexed.normalized())))) {
            return true;
        }
        TrustedNames trusted = trustedFunctionNames;
        if (trusted.policy() != policy) trusted = TrustedNames.of(policy);  // mid-reload: compiled again anyway
        if (!trusted.names().isEmpty() && lexed.mentionsAny(trusted.names())) return true;
        return RefusedBuiltins.mentionedIn(lexed);
    }

    /** The cached verdict on a normalised text for a role and purpose, analysing and compiling it on a miss. */
    private CompiledStatement verdict(DatabaseState database, DatabaseState.Keyed keyed, StatementScope scope,
                                      LexedSql lexed, String role, String purpose, ServerSideObjects.Snapshot objects,
                                      boolean withholdDenied) throws SQLException {
        // a DO block's or a function's body is a literal, which the normalised text (the cache key) does not hold:
        // the verdict on one body says nothing of another
        boolean carriesCode = carriesCode(lexed);
        CompiledStatement verdict;
        if (scope.key() != null && !carriesCode) {
            verdict = keyed.verdicts.getIfPresent(new DatabaseState.StatementKey(lexed.normalized(), role, purpose,
                    withholdDenied, scope.key()));
            if (verdict != null) return verdict;
        }
        Plan plan = plan(database, scope, lexed);
        // a schema change is judged on the policy and its own text, and may be what brings the table in step
        Map<ColumnRule, ProtectedColumn> columns = plan.kind() == StatementKind.DDL ? Map.of()
                : checkPolicyMatchesLiveTables(keyed, plan, scope);
        verdict = new StatementCompiler(policy, new StatementCompiler.Columns() {
            @Override
            public ProtectedColumn of(ColumnRule rule) throws SQLException {
                ProtectedColumn column = columns.get(rule);
                return column != null ? column : protectedColumn(keyed, rule, new TableName(rule.schema(), rule.table()),
                        scope.lookup());
            }

            @Override
            public RowKeys rowKeys(List<OutputColumn> outputs) {
                return rowKeysShownBy(scope, keyed.keyset, outputs);
            }

            @Override
            public String primaryKey(TableName table) {
                LiveCatalog.TableInfo info = scope.lookup().lookup(table);  // the relation this session's name means
                return info == null ? null : info.primaryKey();
            }
        }).compile(lexed, plan, role, purpose, objects, withholdDenied);
        if (verdict.changesSchema()) {
            database.invalidate();
        } else if (scope.cacheable() && !carriesCode && !plan.transientProblem()) {
            // (a refusal for a parse that timed out or found the parser busy is not kept: it may pass next time)
            keyed.verdicts.put(new DatabaseState.StatementKey(lexed.normalized(), role, purpose, withholdDenied,
                    scope.key()), verdict);
        }
        return verdict;
    }

    private static boolean carriesCode(LexedSql lexed) {
        Set<String> words = lexed.words();
        return (words.contains("do") || words.contains("function") || words.contains("procedure"))
                && !dev.warden.sql.ServerCodeReader.read(lexed).isEmpty();
    }

    /**
     * A trail whose writer has died (an OutOfMemoryError, a bug) will never write again: no statement runs,
     * whatever it touches and whatever the failure mode, since none could leave its event. A volatile read.
     */
    private void checkAuditStopped() throws SQLException {
        if (auditSink != null && auditSink.isStopped()) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail has stopped (its writer ended) and"
                    + " no statement can be recorded: statements are refused until the process is restarted");
        }
    }

    /** Fail closed: while the trail cannot be written, statements on protected tables do not run. */
    private void checkAuditHealth(CompiledStatement verdict) throws SQLException {
        if (verdict != null && verdict.touchesProtected() && auditSink != null && !auditSink.isHealthy() && policy.audit().failClosed()) {
            throw SqlStates.of(SqlStates.AUDIT_UNAVAILABLE, "the audit trail cannot be written and the policy is"
                    + " fail-closed: statements on protected tables are refused until it recovers");
        }
    }

    /**
     * A result did not have the shape its statement was analysed for: the table changed outside Warden, or in
     * a transaction that had not committed when another session analysed it. Forgets the table shapes and
     * everything derived from them, so that the statement, sent again, is analysed against the table as it is.
     */
    public void tableChanged(Session session) {
        session.names().changed();  // a function may have created a temporary table or set search_path
        session.database().invalidate();
    }

    /**
     * The session's transaction committed (through the JDBC API): a schema change it ran becomes visible to
     * other sessions only now, which may have re-read the catalog before, so the catalog is dropped again.
     */
    public void committed(Session session) {
        if (session.takeSchemaChange()) session.database().invalidate();
    }

    /**
     * Removes values from what the database reports (errors, notices) before the application, a gateway client
     * or the audit trail sees it; every front door passes the real driver's errors through it.
     */
    public ServerErrorRedactor errors() {
        return errors;
    }

    /**
     * The session's search_path was changed without a statement passing through the engine (JDBC's
     * {@code setSchema}): its names are read again before its next analysed statement.
     */
    public void namesChanged(Session session) {
        session.names().changed();
    }

    /**
     * The session's transaction ended through the JDBC API ({@code commit}, {@code rollback}): a search_path or
     * temporary table it changed may have been undone, so the session reads its names again if it changed any.
     * Costs a field write otherwise.
     */
    public void transactionEnded(Session session) {
        session.names().transactionEnded();
    }

    /**
     * Begins the audit record of one execution of {@code statement}, before it is sent: an execution that
     * could not leave its event does not run (a stopped trail refuses every statement, an unwritable one in
     * fail-closed mode those on protected tables; SQLState 58000). Checked per execution, so a statement
     * prepared while the trail was healthy is stopped too.
     */
    public StatementAudit audit(Session session, GuardedStatement statement) throws SQLException {
        checkAuditStopped();
        checkAuditHealth(statement.compiled());
        session.names().ran(statement.namesEffect());  // per execution: a prepared SET search_path runs many times
        Observed observed = statement.observed();
        if (observed != null && observed.decision() != null && auditSink != null) {
            // observe mode, a statement enforcement would change: where the application ran it (this thread's stack)
            return new StatementAudit(auditSink, meters, session, statement, policy.version(),
                    CallSites.of(session, statement.policy().observation().callSiteSkip()));
        }
        return new StatementAudit(auditSink, meters, session, statement, policy.version());
    }

    /**
     * Lends a (pooled) session to a client a front door serves: its later statements act for {@code purpose}
     * and are audited under the client's user, application name and address; {@code SET warden.purpose} may
     * then switch only to purposes {@code mayDeclare} accepts (and the role declares). Every changeable field
     * of the session is replaced, so nothing an earlier client set (a purpose) survives into this lease. The
     * role is unchanged: it belongs to the pool.
     *
     * @throws SQLException 28000 when the role may not act for {@code purpose}
     */
    public void lend(Session session, String user, String purpose, String client, String clientAddress,
                     java.util.function.Predicate<String> mayDeclare) throws SQLException {
        checkSession(session.role(), purpose);
        session.lend(user, purpose, client, clientAddress, mayDeclare);
    }

    /**
     * Records that a front door refused a client at login (wrong password, unknown user, refused method, rate
     * limit), so that failed logins are on the trail beside statements. {@code reason} must not hold the
     * password or anything the client sent as one. An unwritable trail is counted by the sink's recovery
     * alarm; the login is refused either way.
     *
     * @param user the login name the client gave (may be null), {@code role} its role if the user is known
     */
    public void authenticationRefused(String user, String role, String client, String clientAddress, String reason,
                                      String sqlState) {
        if (auditSink == null) return;
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        try {
            auditSink.record(new dev.warden.audit.AuditEvent(dev.warden.audit.AuditEvent.AUTHENTICATION, now,
                    java.util.UUID.randomUUID().toString(), null, user, role, null, client, clientAddress, null,
                    null, policy.version(), java.util.List.of(), Map.of(), java.util.List.of(), java.util.List.of(),
                    -1, "refused", reason, sqlState, 0, java.util.List.of()));
        } catch (dev.warden.audit.AuditUnavailableException e) {
            // the sink counts it in its recovery alarm; there is no statement to stop
        }
    }

    /**
     * Records that a front door refused {@code sql} itself, before the engine saw it (the gateway refuses a
     * Parse holding two statements, COPY in the extended protocol): the statement does not run and still
     * leaves its one event. The fingerprint is the lexer's normalised text, literals replaced, as for any
     * statement.
     *
     * @throws SQLException 58000 when the trail cannot take the event and is fail-closed
     */
    public void refusedByFrontDoor(Session session, String sql, SQLException refusal) throws SQLException {
        StatementAudit.refused(auditSink, meters, session, sql == null ? null : SqlLexer.lex(sql).normalized(), null,
                policy.version(), refusal);
    }

    /** Fails the open block with an error that names the reason in the server's log. */
    private static final String FAIL_BLOCK = "DO $warden$BEGIN RAISE EXCEPTION 'transaction aborted by the Warden"
            + " gateway after an error in this transaction block' USING ERRCODE = '25P02'; END$warden$";

    /**
     * Fails the transaction block open on {@code real} (a session's real connection) after an error that never
     * reached the database (a refusal, a value that could not be decrypted), as PostgreSQL fails a block on any
     * error: a later COMMIT then rolls back. An internal statement of the front door, not the client's: it is
     * not audited (the error's own event is the record) and runs only this fixed text. Its expected error
     * (25P02) is the point and is swallowed; a lost connection shows at the client's next statement.
     */
    public void failTransactionBlock(Connection real) {
        try (java.sql.Statement s = real.createStatement()) {
            s.execute(FAIL_BLOCK);
        } catch (SQLException expected) {
            // the block is now failed on the server
        }
    }

    /**
     * The bounded-results verdict ({@link BoundedResults}) of a front door, reading unique keys through
     * {@code physical} (the connection under the Warden wrapper, so not a client statement). Tables with match
     * columns are named to it under the policy in use now: a LIKE through their index may read more candidates
     * than its LIMIT.
     */
    public BoundedResults boundedResults(Connection physical, int maxRows) {
        java.util.Set<String> matchTables = new java.util.HashSet<>();
        java.util.Set<String> orderTables = new java.util.HashSet<>();
        for (ColumnRule rule : policy.columns()) {
            if (rule.match()) matchTables.add(rule.table().toLowerCase(java.util.Locale.ROOT));
            if (rule.ordered()) orderTables.add(rule.table().toLowerCase(java.util.Locale.ROOT));
        }
        return new BoundedResults(physical, maxRows, matchTables, orderTables);
    }

    /**
     * Checks {@code sql}, a front door's own fixed read run on the real connection without guard or audit
     * ({@link EngineSession#readInternally}): such a read concerns the catalog or settings, so a text that names a
     * protected table is a programming error, refused before it runs.
     */
    public void checkInternalRead(String sql) {
        if (SqlLexer.lex(sql).mentionsAny(policy.protectedTableNames())) {
            throw new IllegalArgumentException("an internal read names a protected table; it must read the catalog only");
        }
    }

    /** The client's lease ended: the session acts again as it was opened, whatever the client set. */
    public void endLease(Session session) {
        session.endLease();
    }

    /**
     * The client a front door lent {@code session} to now names itself {@code applicationName} (its
     * {@code application_name} as the database reports it after a SET, a RESET or a rolled-back SET): its
     * statements are audited under it from now on, and observe mode's call sites name it.
     */
    public void clientRenamed(Session session, String applicationName) {
        session.client(applicationName);
    }

    /**
     * Carries out a statement Warden answers itself (SET warden.purpose). A refusal is audited here: the
     * statement never reaches the database, and still leaves its one event.
     */
    public void runLocal(Session session, GuardedStatement statement) throws SQLException {
        if (statement.local() == GuardedStatement.Local.SET_PURPOSE) {
            String purpose = statement.localValue();
            try {
                if (!session.mayDeclare(purpose)) {
                    throw SqlStates.of(SqlStates.DENIED, "purpose " + (purpose == null ? "(none)" : "'" + purpose + "'")
                            + " may not be declared by user " + session.user() + " of role " + session.role());
                }
                checkSession(session.role(), purpose);
            } catch (SQLException refusal) {
                StatementAudit.refused(auditSink, meters, session, statement.fingerprint(), null, policy.version(), refusal);
                throw refusal;
            }
            session.purpose(purpose);
        }
    }

    private GuardedStatement localStatement(Session session, LexedSql lexed, Policy now) throws SQLException {
        Matcher m = SET_PURPOSE.matcher(lexed.normalized());
        if (!m.matches()) return null;
        String value = null;
        if (!lexed.slots().isEmpty()) {
            if (!(lexed.slots().get(0) instanceof Slot.Literal literal) || literal.value() == null) {
                throw SqlStates.unsupported("SET warden.purpose takes a quoted purpose name");
            }
            value = literal.value();
        }
        return new GuardedStatement(lexed, PASS_THROUGH, lexed.original(), null,
                GuardedStatement.Local.SET_PURPOSE, value, null, now);
    }

    /** The verdict of a statement that names no protected table: sent as is, audited without columns. */
    private static final CompiledStatement PASS_THROUGH = new CompiledStatement(null, null, null, null, "OTHER",
            java.util.List.of(), Map.of(), java.util.List.of(), java.util.List.of(), false, false, null);

    private static boolean startsWithPrivilegeKeyword(String sql) {
        String head = sql.stripLeading();
        return head.regionMatches(true, 0, "grant", 0, 5) || head.regionMatches(true, 0, "revoke", 0, 6);
    }

    static boolean startsWithDdlKeyword(String sql) {
        String head = sql.stripLeading();
        for (String keyword : new String[] {"alter", "create", "drop", "rename"}) {
            if (head.regionMatches(true, 0, keyword, 0, keyword.length())) return true;
        }
        return false;
    }

    /** By slot, the ciphertext literal of each inline literal of a protected column; null when there is none. */
    private static String[] encryptedLiterals(LexedSql lexed, CompiledStatement verdict) throws SQLException {
        String[] replacements = null;
        for (int i = 0; i < lexed.slots().size(); i++) {
            ProtectedColumn column = verdict.slotColumns()[i];
            if (column == null || !(lexed.slots().get(i) instanceof Slot.Literal literal)) continue;
            if (literal.value() == null) throw KeyExpansion.unencryptableLiteral(column);
            // a rules-only column's literal is sent as written (with its cast, if any)
            if (!column.encrypted()) continue;
            String value = column.literalValue(lexed, i);
            if (replacements == null) replacements = new String[lexed.slots().size()];
            replacements[i] = column.protectLiteral(value, literal.sourceText());
        }
        return replacements;
    }

    /**
     * Where the policy asks for hashed row keys: the result columns that show the (single-column) primary key
     * of a protected table, or null when there are none.
     */
    private RowKeys rowKeysShownBy(StatementScope scope, WardenKeyset keyset, List<OutputColumn> outputs) {
        if (keyset == null || policy.audit() == null || !policy.audit().hashRowKeys()) return null;
        List<Integer> positions = new java.util.ArrayList<>();
        List<String> tables = new java.util.ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            dev.warden.sql.ColumnRef origin = outputs.get(i).origin();
            if (origin == null || !policy.protectsTable(origin.table().schema(), origin.table().name())) continue;
            LiveCatalog.TableInfo info = scope.lookup().lookup(origin.table());
            if (info != null && origin.column().equals(info.primaryKey()) && !tables.contains(origin.table().name())) {
                positions.add(i + 1);
                tables.add(origin.table().name());
            }
        }
        if (positions.isEmpty()) return null;
        return new RowKeys(positions.stream().mapToInt(Integer::intValue).toArray(), tables.toArray(String[]::new), keyset);
    }

    /**
     * Before the first verdict on a protected table, every policy column of it must exist in the live table
     * with a type that can hold ciphertext: a policy out of step with the schema is named, not guessed around.
     * "The live table" is the relation the statement's name resolves to for this session: a session's own table
     * named like a protected one (a temporary table, or one in a schema earlier on its search_path) is held to
     * that name's rules like any table of that name, since the policy matches unqualified names in every
     * schema: it is analysed on its own columns, and refused (42703) when it lacks a protected column.
     *
     * @return the compiled column of every rule of the statement's protected tables
     */
    private Map<ColumnRule, ProtectedColumn> checkPolicyMatchesLiveTables(DatabaseState.Keyed keyed, Plan plan,
                                                                         StatementScope scope) throws SQLException {
        Map<ColumnRule, ProtectedColumn> columns = new java.util.HashMap<>();
        for (TableName table : plan.tables()) {
            if (!policy.protectsTable(table.schema(), table.name())) continue;
            for (ColumnRule rule : policy.columns()) {
                if (rule.table().equals(table.name())
                        && (rule.schema() == null || table.schema() == null || rule.schema().equals(table.schema()))) {
                    ProtectedColumn column = protectedColumn(keyed, rule, table, scope.lookup());
                    ProtectedColumn other = columns.putIfAbsent(rule, column);
                    if (other != null && other != column) {
                        // two relations of that name in one statement store the column differently
                        throw SqlStates.unsupported("this statement reads two tables named " + rule.table()
                                + " whose column " + rule.column() + " (policy line " + rule.line()
                                + ") stores ciphertext differently; name one table per statement");
                    }
                }
            }
        }
        return columns;
    }

    /** The compiled column of {@code rule} on the relation {@code table} resolves to for this statement. */
    private ProtectedColumn protectedColumn(DatabaseState.Keyed keyed, ColumnRule rule, TableName table,
                                            LiveCatalog.Lookup lookup) throws SQLException {
        LiveCatalog.TableInfo info = lookup.lookup(table);
        String where = " (" + policy.source() + " line " + rule.line() + ")";
        if (info == null) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, "policy table " + table + where
                    + " does not exist in the database");
        }
        String typeName = info.typeNames().get(rule.column());
        if (typeName == null) {
            throw SqlStates.of(SqlStates.POLICY_MISMATCH, "policy column " + rule.qualifiedName() + where
                    + " does not exist in table " + info.relation() + resolvedFrom(table, info)
                    + " (columns: " + String.join(", ", info.columns()) + ")");
        }
        Storage storage = null;
        if (rule.encryption() != Encryption.NONE) {
            storage = Storage.forColumnType(typeName);
            if (storage == null) {
                throw SqlStates.of(SqlStates.POLICY_MISMATCH, rule.qualifiedName() + where + " is of type "
                        + typeName + " in table " + info.relation() + resolvedFrom(table, info)
                        + "; an encrypted column must be bytea or text");
            }
        }
        DatabaseState.ColumnKey key = new DatabaseState.ColumnKey(rule, storage);
        ProtectedColumn column = keyed.protectedColumns.get(key);
        if (column != null) return column;
        ColumnCipher cipher = null;
        ColumnCipher[] equalityCiphers = new ColumnCipher[0];
        if (rule.encryption() != Encryption.NONE) {
            WardenKeyset keyset = keyed.keyset;
            if (rule.encryption() == Encryption.DETERMINISTIC) {
                cipher = keyset.deterministic(rule.cipherBinding());
                // after a rotation, equality must also match rows still under an older (enabled) key
                List<ColumnCipher> everyKey = keyset.deterministicForEveryKey(rule.cipherBinding());
                equalityCiphers = everyKey.size() > 1 ? everyKey.toArray(ColumnCipher[]::new)
                        : new ColumnCipher[] {cipher};
            } else {
                cipher = keyset.randomized(rule.cipherBinding());
                equalityCiphers = new ColumnCipher[] {cipher};
            }
        }
        column = new ProtectedColumn(rule, cipher, equalityCiphers, storage,
                MatchColumns.index(policy, rule, keyed.keyset, info, where),
                OrderColumns.index(policy, rule, keyed.keyset, info, where), meters);
        ProtectedColumn raced = keyed.protectedColumns.putIfAbsent(key, column);
        return raced != null ? raced : column;
    }

    /**
     * For a message on a table the statement named without the schema it resolved to: says that this session's
     * name led there, and that a table named like a protected one is held to its rules.
     */
    private static String resolvedFrom(TableName table, LiveCatalog.TableInfo info) {
        if (table.schema() != null || info.oid() == 0) return "";
        return ", which " + table.name() + " names in this session (a table named like a protected table is"
                + " held to that table's rules)";
    }

    @Override
    public void close() {
        try {
            metricsExport.close();
        } catch (Exception e) {
            // withdrawing meters never matters to the data
        }
        if (reloader != null) reloader.close();
        if (policyReloader != null) policyReloader.close();
        if (auditSink != null) auditSink.close();
    }
}

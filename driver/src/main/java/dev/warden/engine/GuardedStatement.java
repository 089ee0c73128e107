package dev.warden.engine;

import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.Policy;
import dev.warden.sql.LexedSql;
import dev.warden.sql.Slot;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * One statement text made safe for one role and purpose: the SQL to send (inline literals of protected
 * columns already encrypted), which JDBC parameters must be encrypted when bound, and how to decode results.
 * Created by {@link WardenEngine#guard}. Immutable and thread-safe: a prepared text's guard is cached and
 * shared by every statement that prepares it. A guard that encrypts or decrypts was compiled with one keyset;
 * after the engine reloads its keyset, {@link WardenEngine#current} gives a statement prepared before the
 * reload the guard it must use from then on.
 */
public final class GuardedStatement {

    /** What the statement is, beyond an ordinary one sent to the database. */
    public enum Local { NONE, SET_PURPOSE }

    private final LexedSql lexed;
    private final CompiledStatement compiled;
    private final String sql;
    private final ProtectedColumn[] parameterColumns;  // by 1-based JDBC index; null entries are not protected
    // null: parameter i of the application is parameter i of sql (always so with a single-key keyset); else
    // see KeyExpansion.Rendered#targets: where each went once equality values are sent once per key
    private final int[] targets;
    private final boolean reusable;
    private final Local local;
    private final String localValue;
    private final WardenKeyset keyset;  // the keyset the verdict was compiled with; null: uses no key
    private final GeneratedKeys generatedKeys;  // null: the application asked for no generated keys
    private final NameResolution.Effect namesEffect;
    private final boolean[] matchCompanions;  // by application parameter: also binds its match tokens next; null: none
    private final MatchFilters.Rendered matchFilter;  // LIKEs answered through match indexes; null: none
    private final SearchScope scope;  // what the session's names resolved to when analysed; null: not analysed
    private final Policy policy;  // the policy every decision of this guard was taken under
    private final Observed observed;  // observe mode: what enforcing would have done; null in enforce mode
    private final boolean[] arrayParameters;  // by application parameter: col = ANY (?)'s array; null: none

    GuardedStatement(LexedSql lexed, CompiledStatement compiled, String sql, ProtectedColumn[] parameterColumns,
                     Local local, String localValue, WardenKeyset keyset, Policy policy) {
        this(lexed, compiled, sql, parameterColumns, null, sql.equals(lexed.original()), local, localValue, keyset,
                policy);
    }

    /**
     * @param reusable true when {@code sql} depends on the statement text only (no literal of it was encrypted),
     *                 so that the guard of a prepared text may be cached and shared
     * @param keyset   the keyset {@code compiled} was compiled with, or null when the statement touches no
     *                 protected table (its guard never depends on a key)
     * @param policy   the policy it was compiled under: after a policy reload it is compiled again
     */
    GuardedStatement(LexedSql lexed, CompiledStatement compiled, String sql, ProtectedColumn[] parameterColumns,
                     int[] targets, boolean reusable, Local local, String localValue, WardenKeyset keyset,
                     Policy policy) {
        this(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue, keyset, null, null, null,
                null, policy, null);
    }

    private GuardedStatement(LexedSql lexed, CompiledStatement compiled, String sql, ProtectedColumn[] parameterColumns,
                             int[] targets, boolean reusable, Local local, String localValue, WardenKeyset keyset,
                             GeneratedKeys generatedKeys, SearchScope scope, boolean[] matchCompanions,
                             MatchFilters.Rendered matchFilter, Policy policy, Observed observed) {
        this.observed = observed;
        this.matchCompanions = matchCompanions;
        this.matchFilter = matchFilter;
        this.lexed = lexed;
        this.compiled = compiled;
        this.sql = sql;
        this.parameterColumns = parameterColumns;
        this.targets = targets;
        this.reusable = reusable;
        this.local = local;
        this.localValue = localValue;
        this.keyset = keyset;
        this.generatedKeys = generatedKeys;
        this.scope = scope;
        this.policy = policy;
        this.namesEffect = NameResolution.effectOf(lexed);
        this.arrayParameters = targets == null || compiled == null || compiled.keyExpansion() == null ? null
                : compiled.keyExpansion().arrayParameters(lexed);
    }

    /** {@link #catalogEffect()}: the statement may change the schema (DDL). */
    static final int CHANGES_SCHEMA = 1;
    /** {@link #catalogEffect()}: the statement is a COMMIT or END. */
    static final int ENDS_TRANSACTION = 2;
    /** {@link #catalogEffect()}: neither. */
    static final int NO_CATALOG_EFFECT = 3;
    private int catalogEffect;  // 0: not yet worked out (a racy cache: any thread computes the same value)

    /**
     * What completing an execution of this statement means for the catalog Warden derived from table shapes
     * ({@link StatementAudit}): {@link #CHANGES_SCHEMA}, {@link #ENDS_TRANSACTION} or {@link #NO_CATALOG_EFFECT}.
     * Worked out from the compiled statement or the text on the first execution, then remembered: a prepared
     * statement runs many times, and reading its text again each time showed in the per-statement profile.
     */
    int catalogEffect() {
        int effect = catalogEffect;
        if (effect == 0) {
            effect = (compiled != null ? compiled.changesSchema() : WardenEngine.startsWithDdlKeyword(sql))
                    ? CHANGES_SCHEMA
                    : StatementAudit.endsTransaction(sql) ? ENDS_TRANSACTION : NO_CATALOG_EFFECT;
            catalogEffect = effect;
        }
        return effect;
    }

    /** What running this statement may do to what the session's table names resolve to. */
    NameResolution.Effect namesEffect() {
        return namesEffect;
    }

    /** This guard for an execution whose generated keys the application asked for (a copy: guards are shared). */
    GuardedStatement withGeneratedKeys(GeneratedKeys keys) {
        return new GuardedStatement(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue,
                keyset, keys, scope, matchCompanions, matchFilter, policy, observed);
    }

    /** This guard, also binding the match tokens of the application parameters marked in {@code companions}. */
    GuardedStatement withMatchCompanions(boolean[] companions) {
        return new GuardedStatement(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue,
                keyset, generatedKeys, scope, companions, matchFilter, policy, observed);
    }

    /** This guard, analysed with the session's names resolved as {@code scope} says. */
    GuardedStatement withScope(SearchScope scope) {
        return new GuardedStatement(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue,
                keyset, generatedKeys, scope, matchCompanions, matchFilter, policy, observed);
    }

    /** This guard, answering LIKEs through match indexes as {@code filter} says. */
    GuardedStatement withMatchFilter(MatchFilters.Rendered filter) {
        return new GuardedStatement(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue,
                keyset, generatedKeys, scope, matchCompanions, filter, policy, observed);
    }

    /**
     * A statement observe mode runs as written ({@code this} is its pass-through guard), with what enforcement would
     * have done to it.
     */
    GuardedStatement observing(Observed what) {
        return new GuardedStatement(lexed, compiled, sql, parameterColumns, targets, reusable, local, localValue,
                keyset, generatedKeys, scope, matchCompanions, matchFilter, policy, what);
    }

    /** Observe mode: what enforcing the policy would have done to this statement; null in enforce mode. */
    Observed observed() {
        return observed;
    }

    /** True when some parameter carries the value of a column the policy encrypts (not a rules-only one). */
    boolean encryptsAnyParameter() {
        if (parameterColumns == null) return false;
        for (ProtectedColumn column : parameterColumns) if (column != null && column.encrypted()) return true;
        return false;
    }

    /**
     * True when parameter {@code index} is the pattern of a LIKE answered through a match index, or the LIMIT,
     * OFFSET or FETCH FIRST count of such a statement (see {@link #bindMatchPattern}).
     */
    public boolean bindsMatchPattern(int index) {
        return matchFilter != null && (index < matchFilter.patternParameters().length
                && matchFilter.patternParameters()[index] != null || matchFilter.bindsCount(index)
                || matchFilter.bindsRange(index));
    }

    /**
     * Binds the LIKE pattern of parameter {@code index} as the tokens of its match index, and returns it compiled
     * (an opaque value the caller keeps for {@link #rowFilter} of this execution).
     */
    public Object bindMatchPattern(PreparedStatement target, int index, Object plaintext) throws SQLException {
        // a count binds nothing: the statement sent has no LIMIT or OFFSET of the application's
        if (matchFilter.bindsCount(index)) return MatchFilters.Rendered.count(index, plaintext);
        return matchFilter.bind(target, index, plaintext);
    }

    /**
     * True when Warden sorts the rows itself ({@link WardenSort}): the real statement must give a scrollable result
     * ({@code TYPE_SCROLL_INSENSITIVE}) of at most {@link #rowsToSort()} rows.
     */
    public boolean sortsRows() {
        return matchFilter != null && (matchFilter.order() != null || matchFilter.minMax() != null);
    }

    /** The max rows of the real statement of a statement Warden sorts: one more than the policy's cap. */
    public long rowsToSort() {
        return matchFilter.order() != null ? matchFilter.order().rowsToRead() : matchFilter.minMax().rowsToRead();
    }

    /** True when the rows the database sends are re-checked before they are shown (see {@link #rowFilter}). */
    public boolean filtersRows() {
        return matchFilter != null;
    }

    /**
     * The row filter of one execution ({@link RowFilter}), or null when the statement filters through no match
     * index. {@code boundPatterns}: by parameter index, what {@link #bindMatchPattern} returned (null for a plain
     * statement).
     */
    public RowFilter rowFilter(Object[] boundPatterns) throws SQLException {
        return matchFilter == null ? null : matchFilter.rowFilter(boundPatterns);
    }

    /**
     * The parameter index (of {@link #sql()}) of the candidate bound Warden adds to a LIKE through a match index
     * with a LIMIT ({@link MatchFilters}), bound to {@link #firstCandidateBound()} before each execution; -1 when
     * there is none.
     */
    public int candidateBoundIndex() {
        return matchFilter == null ? -1 : matchFilter.boundTarget();
    }

    /**
     * The candidate bound of an execution's first run (see {@link #candidateBoundIndex()}), from the counts written
     * inline or bound ({@code boundPatterns} as for {@link #rowFilter}); refuses a count unbound or negative as
     * PostgreSQL would (2201W, 2201X), before anything is sent.
     */
    public long firstCandidateBound(Object[] boundPatterns) throws SQLException {
        return matchFilter.firstBound(matchFilter.counts(boundPatterns));
    }

    /** The candidate bound of a plain statement's first run (counts written inline). */
    public long firstCandidateBound() throws SQLException {
        return firstCandidateBound(null);
    }

    /** The text to run as a plain statement: {@link #sql()} with the first candidate bound written in. */
    public String plainSql() throws SQLException {
        // counts given as parameters: a prepared statement, whose real statement binds the bound (forExecution)
        if (candidateBoundIndex() < 0 || matchFilter.countsBound()) return sql;
        return matchFilter.sqlWithBound(firstCandidateBound());
    }

    /** {@link #sql()} with the candidate bound {@code bound} written in, to run again as a plain statement. */
    public String plainSql(long bound) {
        return candidateBoundIndex() < 0 ? sql : matchFilter.sqlWithBound(bound);
    }

    /** The statement's own result columns when it filters through a match index (see {@link RowFilter}), else -1. */
    public int visibleColumns() {
        return matchFilter == null ? -1 : matchFilter.visibleColumns();
    }

    /** What the session's table names resolved to when this was analysed; null when it was passed through. */
    SearchScope scope() {
        return scope;
    }

    /**
     * How to ask the real driver for generated keys, or null when the application asked for none (see
     * {@link WardenEngine#guardForKeys}).
     */
    public GeneratedKeys generatedKeys() {
        return generatedKeys;
    }

    /**
     * True when this execution's generated keys are the rows of a RETURNING clause over a protected table,
     * to be shown through {@link #decoder()} like any RETURNING.
     */
    public boolean returnsProtectedKeys() {
        return generatedKeys != null && generatedKeys.mode() == GeneratedKeys.Mode.RETURNING;
    }

    /** The policy this guard was compiled under (see {@link WardenEngine#isCurrent}). */
    Policy policy() {
        return policy;
    }

    /** The keyset this guard was compiled with, or null when it depends on none. */
    WardenKeyset keyset() {
        return keyset;
    }

    /**
     * True when this guard was compiled with a keyset, so that a keyset reload may give a statement prepared
     * with it another guard (see {@link WardenEngine#current}).
     */
    public boolean dependsOnKeys() {
        return keyset != null;
    }

    /** True when some parameter carries a protected column's value. */
    public boolean protectsAnyParameter() {
        return parameterColumns != null;
    }

    /** The text the application passed. */
    String originalSql() {
        return lexed.original();
    }

    /** The text to hand to the real driver. */
    public String sql() {
        return sql;
    }

    /** The normalised text (every literal a {@code ?}): the audit fingerprint. */
    public String fingerprint() {
        return lexed.normalized();
    }

    public Local local() {
        return local;
    }

    String localValue() {
        return localValue;
    }

    LexedSql lexed() {
        return lexed;
    }

    CompiledStatement compiled() {
        return compiled;
    }

    /** Bound to a count in place of a value sent typed as character varying (see {@link MatchFilters}). */
    public static final Object CHARACTER_VARYING_COUNT = MatchFilters.CHARACTER_VARYING_COUNT;

    /** Bound to a count in place of a value sent typed as text (see {@link MatchFilters}). */
    public static final Object TEXT_COUNT = MatchFilters.TEXT_COUNT;

    /** True when JDBC parameter {@code index} is a LIMIT or OFFSET count taken out of a match LIKE's statement. */
    public boolean bindsCount(int index) {
        return matchFilter != null && matchFilter.bindsCount(index);
    }

    /** True when the value bound to JDBC parameter {@code index} must go through {@link #bind}. */
    public boolean protectsParameter(int index) {
        return parameterColumns != null && index < parameterColumns.length && parameterColumns[index] != null
                || matchFilter != null && matchFilter.bindsCount(index);
    }

    /**
     * The index that application parameter {@code index} binds in {@link #sql()}: the same, except after a key
     * rotation where an equality value before it is sent once per key. An index past the application's last
     * parameter stays past the last parameter sent, so the real driver refuses it as it would have.
     */
    public int targetIndex(int index) {
        if (targets == null || index < 1) return index;
        int parameters = targets.length - 2;
        return index <= parameters ? targets[index] : targets[parameters + 1] + (index - parameters - 1);
    }

    /** The number of parameters of {@link #sql()} (for parameter metadata), or -1 when it is the application's. */
    public int targetParameterCount() {
        return targets == null ? -1 : targets[targets.length - 1] - 1;
    }

    /** The number of application parameters, when {@link #targetParameterCount()} is not -1. */
    public int parameterCount() {
        return targets == null ? -1 : targets.length - 2;
    }

    /** True when the text to send is the same for every execution, so the guard of a prepared text can be shared. */
    boolean reusable() {
        return reusable;
    }

    /**
     * Encrypts {@code plaintext} for parameter {@code index} and binds the ciphertext (or NULL); after a key
     * rotation an equality value is bound once per key, at consecutive indexes.
     */
    public void bind(PreparedStatement target, int index, Object plaintext) throws SQLException {
        if (matchFilter != null && matchFilter.bindsCount(index)) return;  // never sent (see bindMatchPattern)
        ProtectedColumn column = parameterColumns[index];
        if (targets != null) {
            int first = targets[index];
            if (matchCompanions != null && index < matchCompanions.length && matchCompanions[index]) {
                // the value, then its match tokens and its order index in the companion columns (see MatchWrites)
                bindStored(target, first, column, column.protect(plaintext));
                int next = first + 1;
                if (column.matchIndex() != null) {
                    Object tokens = column.matchTokens(plaintext);
                    if (tokens == null) target.setNull(next, java.sql.Types.ARRAY);
                    else target.setObject(next, tokens);
                    next++;
                }
                if (column.orderIndex() != null) {
                    byte[] right = column.orderRight(plaintext);
                    if (right == null) target.setNull(next, java.sql.Types.BINARY);
                    else target.setBytes(next, right);
                }
                return;
            }
            if (arrayParameters != null && index < arrayParameters.length && arrayParameters[index]) {
                bindArray(target, first, column, plaintext);
                return;
            }
            int keys = targets[index + 1] - first;
            for (int k = 0; k < keys; k++) bindStored(target, first + k, column, column.protectUnder(k, plaintext));
            return;
        }
        bindStored(target, index, column, column.protect(plaintext));
    }

    /**
     * The array of {@code col = ANY (?)}: each element encrypted once per deterministic key (rows written under each
     * match), NULL elements kept (once: they only make the answer NULL instead of false, as in PostgreSQL), a NULL
     * array bound as NULL. Accepts what the real driver accepts for an array: a {@link java.sql.Array} or a Java
     * array (of objects or primitives), one-dimensional.
     */
    private static void bindArray(PreparedStatement target, int index, ProtectedColumn column, Object plaintext)
            throws SQLException {
        Object[] elements = ArrayValues.elements(plaintext, column);
        if (elements == null) {
            target.setNull(index, java.sql.Types.ARRAY);
            return;
        }
        if (!column.encrypted()) {
            // a rules-only column's array goes as the application bound it (pgjdbc takes String[], not Object[])
            if (plaintext instanceof java.sql.Array a) target.setArray(index, a);
            else target.setObject(index, plaintext);
            return;
        }
        java.util.List<Object> stored = new java.util.ArrayList<>(elements.length * column.equalityKeys());
        boolean nullAdded = false;
        for (Object element : elements) {
            if (element == null) {
                if (!nullAdded) stored.add(null);
                nullAdded = true;
                continue;
            }
            for (int k = 0; k < column.equalityKeys(); k++) stored.add(column.protectUnder(k, element));
        }
        boolean bytea = column.storage() == Storage.BYTEA;
        Object[] array = stored.toArray(bytea ? new byte[0][] : new String[0]);
        target.setArray(index, target.getConnection().createArrayOf(bytea ? "bytea" : "text", array));
    }

    private static void bindStored(PreparedStatement target, int index, ProtectedColumn column, Object stored)
            throws SQLException {
        if (stored == null) {
            target.setNull(index, column.bindSqlType());
        } else if (stored instanceof byte[] bytes) {
            target.setBytes(index, bytes);
        } else if (stored instanceof String text) {
            target.setString(index, text);
        } else {
            target.setObject(index, stored);  // rules-only column: the plaintext as given
        }
    }

    /** The protected column behind parameter {@code index}, for messages. */
    public String parameterColumnName(int index) {
        ProtectedColumn column = parameterColumns == null || index >= parameterColumns.length ? null
                : parameterColumns[index];
        return column == null ? "(the LIMIT or OFFSET of a LIKE through a match index)" : column.name();
    }

    /** How to decode results, or null when no result column is protected. */
    public ResultDecoder decoder() {
        return compiled.decoder();
    }

    public boolean touchesProtected() {
        return compiled.touchesProtected();
    }

    /** Maps each JDBC parameter index to the protected column its slot carries; null when none. */
    static ProtectedColumn[] parameterColumns(LexedSql lexed, CompiledStatement compiled) {
        if (!compiled.hasProtectedSlots()) return null;
        ProtectedColumn[] byIndex = null;
        for (int i = 0; i < lexed.slots().size(); i++) {
            ProtectedColumn column = compiled.slotColumns()[i];
            if (column != null && lexed.slots().get(i) instanceof Slot.Parameter p) {
                if (byIndex == null) byIndex = new ProtectedColumn[countParameters(lexed) + 1];
                byIndex[p.jdbcIndex()] = column;
            }
        }
        return byIndex;
    }

    private static int countParameters(LexedSql lexed) {
        int max = 0;
        for (Slot s : lexed.slots()) if (s instanceof Slot.Parameter p) max = Math.max(max, p.jdbcIndex());
        return max;
    }
}

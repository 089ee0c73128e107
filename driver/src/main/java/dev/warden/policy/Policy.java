package dev.warden.policy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, validated policy snapshot. Thread-safe. Reloading builds a new snapshot; nothing mutates one.
 *
 * <p>Lookups ({@link #column}, {@link #protectsTable}, {@link #role}) run once per analysed statement, so
 * they are plain hash lookups on maps built here once and never modified; a found rule is returned as a
 * pre-built {@code Optional}, so a lookup allocates nothing.
 *
 * <p>Table matching: an unqualified policy table ({@code customers}) matches a statement's table of that
 * name in any schema; a qualified one ({@code public.customers}) matches that schema, or a statement that
 * names no schema. Hence two policy tables may not share a bare name, even in different schemas: a
 * statement naming neither schema could not tell which rule applies.
 */
public final class Policy {

    /**
     * How often a running engine checks its keyset file for a change when the policy does not say
     * ({@code keyset-reload}): often enough that processes sharing a keyset agree on it within seconds of a
     * {@code warden keys rotate}, rarely enough that reading and hashing a few kilobytes costs nothing.
     */
    public static final Duration DEFAULT_KEYSET_RELOAD = Duration.ofSeconds(10);

    /**
     * How often a running engine checks its policy file for a change when the policy does not say
     * ({@code policy-reload}): as for the keyset, seconds after an edit, at the cost of hashing a small file.
     */
    public static final Duration DEFAULT_POLICY_RELOAD = Duration.ofSeconds(10);

    private final String source;
    private final String version;
    private final Path keysetPath;
    private final Duration keysetReload;
    private final Duration policyReload;
    private final AuditSettings audit;
    private final Map<String, RoleRule> roles;
    private final Map<String, Optional<RoleRule>> roleLookup;
    private final List<ColumnRule> columns;
    /** Bare table name to its rules; private and never modified after construction, so HashMap is safe. */
    private final Map<String, TableRules> tables;
    private final Set<String> protectedTableNames;
    private final String declaredRoles;
    /** {@code functions:} by lower-case {@code schema.name}. */
    private final Map<String, TrustedFunction> trustedFunctions;
    private final DeniedColumns deniedColumns;
    private final Observation observation;
    private final SortRowCap sortRowCap;

    /** One policy table: its schema (null: any) and its columns by name. */
    private record TableRules(String schema, Map<String, Optional<ColumnRule>> columns) {
        boolean matches(String statementSchema) {
            return schema == null || statementSchema == null || schema.equals(statementSchema);
        }
    }

    /**
     * Builds a snapshot from already validated rules (the loader's job; tests may build one directly).
     *
     * @param source     where the policy came from, for messages
     * @param version    a short fingerprint of the policy content
     * @param keysetPath the keyset file, or null when the policy names none
     * @param roles      the declared roles
     * @param columns    the column rules, in policy order
     * @param audit      the audit settings
     * @throws IllegalArgumentException when two roles or two columns share a name, two tables share a bare
     *                                  name, or a column grants, lists writers or
     *                                  lists filtering roles for an undeclared role
     */
    public Policy(String source, String version, Path keysetPath, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit) {
        this(source, version, keysetPath, DEFAULT_KEYSET_RELOAD, roles, columns, audit);
    }

    /**
     * As {@link #Policy(String, String, Path, Collection, Collection, AuditSettings)}, with how often a
     * running engine checks the keyset file for a change ({@link Duration#ZERO}: never).
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit) {
        this(source, version, keysetPath, keysetReload, roles, columns, audit, List.of());
    }

    /**
     * As {@link #Policy(String, String, Path, Duration, Collection, Collection, AuditSettings)}, with the
     * functions the policy trusts ({@code functions:}).
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit, Collection<TrustedFunction> trustedFunctions) {
        this(source, version, keysetPath, keysetReload, roles, columns, audit, trustedFunctions, DeniedColumns.REFUSE);
    }

    /**
     * As {@link #Policy(String, String, Path, Duration, Collection, Collection, AuditSettings, Collection)}, with
     * what a result column the role may not read does to its statement ({@code denied-columns:}).
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit, Collection<TrustedFunction> trustedFunctions,
                  DeniedColumns deniedColumns) {
        this(source, version, keysetPath, keysetReload, roles, columns, audit, trustedFunctions, deniedColumns,
                DEFAULT_POLICY_RELOAD);
    }

    /**
     * As {@link #Policy(String, String, Path, Duration, Collection, Collection, AuditSettings, Collection,
     * DeniedColumns)}, with how often a running engine checks the policy file for a change
     * ({@code policy-reload}; {@link Duration#ZERO}: never).
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit, Collection<TrustedFunction> trustedFunctions,
                  DeniedColumns deniedColumns, Duration policyReload) {
        this(source, version, keysetPath, keysetReload, roles, columns, audit, trustedFunctions, deniedColumns,
                policyReload, Observation.ENFORCE);
    }

    /**
     * As {@link #Policy(String, String, Path, Duration, Collection, Collection, AuditSettings, Collection,
     * DeniedColumns, Duration)}, with the {@code mode:} and {@code observe:} settings.
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit, Collection<TrustedFunction> trustedFunctions,
                  DeniedColumns deniedColumns, Duration policyReload, Observation observation) {
        this(source, version, keysetPath, keysetReload, roles, columns, audit, trustedFunctions, deniedColumns,
                policyReload, observation, SortRowCap.DEFAULT);
    }

    /**
     * As {@link #Policy(String, String, Path, Duration, Collection, Collection, AuditSettings, Collection,
     * DeniedColumns, Duration, Observation)}, with the most rows Warden sorts itself ({@code sort-row-cap:}).
     */
    public Policy(String source, String version, Path keysetPath, Duration keysetReload, Collection<RoleRule> roles,
                  Collection<ColumnRule> columns, AuditSettings audit, Collection<TrustedFunction> trustedFunctions,
                  DeniedColumns deniedColumns, Duration policyReload, Observation observation, SortRowCap sortRowCap) {
        this.sortRowCap = Objects.requireNonNull(sortRowCap, "sortRowCap");
        this.observation = Objects.requireNonNull(observation, "observation");
        this.policyReload = Objects.requireNonNull(policyReload, "policyReload");
        if (policyReload.isNegative()) {
            throw new IllegalArgumentException("policyReload must not be negative: " + policyReload);
        }
        this.deniedColumns = Objects.requireNonNull(deniedColumns, "deniedColumns");
        Map<String, TrustedFunction> trusted = new HashMap<>();
        for (TrustedFunction f : trustedFunctions) {
            if (trusted.put(f.qualifiedName(), f) != null) {
                throw new IllegalArgumentException("function '" + f.qualifiedName() + "' trusted twice");
            }
        }
        this.trustedFunctions = Map.copyOf(trusted);
        this.source = Objects.requireNonNull(source, "source");
        this.version = Objects.requireNonNull(version, "version");
        this.keysetPath = keysetPath;
        this.keysetReload = Objects.requireNonNull(keysetReload, "keysetReload");
        if (keysetReload.isNegative()) {
            throw new IllegalArgumentException("keysetReload must not be negative: " + keysetReload);
        }
        this.audit = Objects.requireNonNull(audit, "audit");

        Map<String, RoleRule> roleMap = new HashMap<>();
        Map<String, Optional<RoleRule>> roleLookupMap = new HashMap<>();
        for (RoleRule role : roles) {
            if (roleMap.put(role.name(), role) != null) {
                throw new IllegalArgumentException("role '" + role.name() + "' declared twice");
            }
            roleLookupMap.put(role.name(), Optional.of(role));
        }
        this.roles = Map.copyOf(roleMap);
        this.roleLookup = roleLookupMap;
        this.declaredRoles = String.join(", ", new TreeSet<>(roleMap.keySet()));

        this.columns = List.copyOf(columns);
        Map<String, TableRules> tableMap = new HashMap<>();
        for (ColumnRule rule : this.columns) {
            for (String role : rule.read().keySet()) {
                requireRole(rule, role);
            }
            for (String role : rule.writers()) {
                requireRole(rule, role);
            }
            if (rule.filterers() != null) {
                for (String role : rule.filterers()) {
                    requireRole(rule, role);
                }
            }
            TableRules table = tableMap.computeIfAbsent(rule.table(),
                    name -> new TableRules(rule.schema(), new HashMap<>()));
            if (!Objects.equals(table.schema(), rule.schema())) {
                throw new IllegalArgumentException("table '" + rule.table() + "' named in two schemas ("
                        + table.schema() + ", " + rule.schema() + ")");
            }
            if (table.columns().put(rule.column(), Optional.of(rule)) != null) {
                throw new IllegalArgumentException("column '" + rule.qualifiedName() + "' has two rules");
            }
        }
        this.tables = tableMap;
        this.protectedTableNames = Set.copyOf(tableMap.keySet());
    }

    private void requireRole(ColumnRule rule, String role) {
        if (!roles.containsKey(role)) {
            throw new IllegalArgumentException(rule.qualifiedName() + ": undeclared role '" + role + "'");
        }
    }

    /**
     * {@code sort-row-cap:}: the most rows a statement may bring back for Warden to sort or aggregate itself
     * (ORDER BY, MIN, MAX on encrypted columns).
     */
    public SortRowCap sortRowCap() {
        return sortRowCap;
    }

    /** {@code mode:} and {@code observe:}: whether the engine enforces this policy or only observes it. */
    public Observation observation() {
        return observation;
    }

    /** A short stable fingerprint of the policy content (for caches and the audit trail). */
    public String version() {
        return version;
    }

    /** Where the policy came from (file path or classpath resource), for messages. */
    public String source() {
        return source;
    }

    /** The keyset file, resolved against the policy file's directory; null for a classpath policy w/o file. */
    public Path keysetPath() {
        return keysetPath;
    }

    /**
     * How often a running engine checks its keyset file for a change ({@code keyset-reload}, default
     * {@link #DEFAULT_KEYSET_RELOAD}); {@link Duration#ZERO} when the policy turns the check off.
     */
    public Duration keysetReload() {
        return keysetReload;
    }

    /**
     * How often a running engine checks its policy file for a change ({@code policy-reload}, default
     * {@link #DEFAULT_POLICY_RELOAD}); {@link Duration#ZERO} when the policy turns the check off.
     */
    public Duration policyReload() {
        return policyReload;
    }

    /** The {@code audit:} section, or its defaults when the policy has none. */
    public AuditSettings audit() {
        return audit;
    }

    public Optional<RoleRule> role(String name) {
        Optional<RoleRule> role = name == null ? null : roleLookup.get(name);
        return role == null ? Optional.empty() : role;
    }

    /** The declared roles (unordered). */
    public Collection<RoleRule> roles() {
        return roles.values();
    }

    /** Every column rule, in policy order. */
    public Collection<ColumnRule> columns() {
        return columns;
    }

    /**
     * The rule for a column, or empty. An unqualified policy table matches any schema; a qualified one
     * matches statements that name that schema, or no schema at all.
     */
    public Optional<ColumnRule> column(String schema, String table, String column) {
        TableRules rules = table == null ? null : tables.get(table);
        if (rules == null || !rules.matches(schema)) {
            return Optional.empty();
        }
        Optional<ColumnRule> rule = rules.columns().get(column);
        return rule == null ? Optional.empty() : rule;
    }

    /**
     * The match column whose companion ({@code <column>_match}) {@code column} of this table is, or empty: the
     * companion is Warden's own, so an application statement may neither read nor write it.
     */
    public Optional<ColumnRule> matchCompanionOwner(String schema, String table, String column) {
        if (column == null || !column.endsWith(ColumnRule.MATCH_SUFFIX)) return Optional.empty();
        Optional<ColumnRule> owner = column(schema, table,
                column.substring(0, column.length() - ColumnRule.MATCH_SUFFIX.length()));
        return owner.filter(ColumnRule::match);
    }

    /**
     * The order column whose companion ({@code <column>_order}) {@code column} of this table is, or empty: like a
     * match index, the order index is Warden's own.
     */
    public Optional<ColumnRule> orderCompanionOwner(String schema, String table, String column) {
        if (column == null || !column.endsWith(ColumnRule.ORDER_SUFFIX)) return Optional.empty();
        Optional<ColumnRule> owner = column(schema, table,
                column.substring(0, column.length() - ColumnRule.ORDER_SUFFIX.length()));
        return owner.filter(ColumnRule::ordered);
    }

    /** True when some column of the policy keeps an order index (so the keyset needs an order key). */
    public boolean hasOrderColumns() {
        for (ColumnRule rule : columns()) if (rule.ordered()) return true;
        return false;
    }

    /** True when some column of the policy keeps a match index (so the keyset needs a match key). */
    public boolean hasMatchColumns() {
        for (ColumnRule rule : columns()) if (rule.match()) return true;
        return false;
    }

    /** True when the policy has rules for this table (same matching as {@link #column}). */
    public boolean protectsTable(String schema, String table) {
        TableRules rules = table == null ? null : tables.get(table);
        return rules != null && rules.matches(schema);
    }

    /** The bare (unqualified) names of protected tables, for the lexer's cheap "might touch" check. */
    public Set<String> protectedTableNames() {
        return protectedTableNames;
    }

    /**
     * The functions of the {@code functions:} section: database functions Warden cannot analyse that the DBA
     * vouches for, by lower-case {@code schema.name}.
     */
    public Map<String, TrustedFunction> trustedFunctions() {
        return trustedFunctions;
    }

    /**
     * What a result column the role may not read does to its statement ({@code denied-columns:}, default
     * {@link DeniedColumns#REFUSE}).
     */
    public DeniedColumns deniedColumns() {
        return deniedColumns;
    }

    /** True when some column is rules-only ({@code encrypt: none}): its plaintext is in the database. */
    public boolean hasRulesOnlyColumns() {
        for (ColumnRule rule : columns) {
            if (rule.encryption() == Encryption.NONE) return true;
        }
        return false;
    }

    /**
     * Checks that {@code role} exists and may act for {@code purpose} (null: no purpose declared).
     * @throws PolicyException naming the role or purpose and the policy source
     */
    public void checkSession(String role, String purpose) throws PolicyException {
        Optional<RoleRule> rule = role(role);
        if (rule.isEmpty()) {
            throw new PolicyException("unknown role '" + role + "' in " + source
                    + " (declared roles: " + declaredRoles + ")");
        }
        RoleRule r = rule.get();
        if (!r.mayActFor(purpose)) {
            String declared = r.purposes().isEmpty() ? "none" : String.join(", ", new TreeSet<>(r.purposes()));
            throw new PolicyException("role '" + role + "' may not act for purpose '" + purpose
                    + "' (declared: " + declared + ") in " + source);
        }
    }

    @Override
    public String toString() {
        return "Policy[" + source + ", version " + version + ", " + roles.size() + " roles, "
                + tables.size() + " tables, " + columns.size() + " columns]";
    }
}

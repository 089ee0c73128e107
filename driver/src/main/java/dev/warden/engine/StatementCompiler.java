package dev.warden.engine;

import dev.warden.policy.Access;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.DeniedColumns;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.sql.ColumnRef;
import dev.warden.sql.ColumnUse;
import dev.warden.sql.LexedSql;
import dev.warden.sql.OutputColumn;
import dev.warden.sql.Plan;
import dev.warden.sql.SchemaChange;
import dev.warden.sql.StatementKind;
import dev.warden.sql.TableName;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies the policy to an analysed statement for one role and purpose: the single place that decides
 * what is allowed. Stateless; every refusal names the role, the table.column and the rule (policy line).
 */
final class StatementCompiler {

    /** Supplies the engine's compiled column for a rule (cipher and storage resolved against the live table). */
    interface Columns {
        ProtectedColumn of(ColumnRule rule) throws SQLException;

        /** How to hash the row keys a result with these outputs shows, or null (policy switch off, no key). */
        default RowKeys rowKeys(List<OutputColumn> outputs) throws SQLException {
            return null;
        }

        /** The single column of {@code table}'s primary key, or null (none, several columns, unknown). */
        default String primaryKey(TableName table) {
            return null;
        }
    }

    private final Policy policy;
    private final Columns columns;

    StatementCompiler(Policy policy, Columns columns) {
        this.policy = policy;
        this.columns = columns;
    }

    /**
     * @param objects        the database's views, functions and triggers that reach protected tables
     * @param withholdDenied keep a result column the role may not read, refusing each read of it (42501), rather
     *                       than refuse the statement: for generated keys of every column, which the application
     *                       did not name (see {@link WardenEngine#guardForKeys})
     */
    CompiledStatement compile(LexedSql sql, Plan plan, String role, String purpose,
                              ServerSideObjects.Snapshot objects, boolean withholdDenied) throws SQLException {
        // the server computing out of Warden's view is refused first, whatever tables the statement names
        String outOfView = serverComputeRefusal(sql, plan);
        if (outOfView != null) {
            List<String> tables = new ArrayList<>();
            for (TableName t : plan.tables()) tables.add(t.toString());
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, outOfView, plan.kind().name(), tables);
        }
        String largeObject = largeObjectOnProtectedTable(sql, plan);
        if (largeObject != null) {
            List<String> tables = new ArrayList<>();
            for (TableName t : plan.tables()) tables.add(t.toString());
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, largeObject, plan.kind().name(), tables);
        }
        CompiledStatement verdict = compileData(sql, plan, role, purpose, objects, withholdDenied);
        return verdict.isRefused() ? verdict : verdict.withNote(trustedFunctionsCalled(sql));
    }

    /**
     * The refusal of a statement naming a {@link RefusedBuiltins refused built-in}, or handing the server code it
     * cannot read ({@link ServerCodeRules}), or null. Dropping an object is never refused here: it runs nothing.
     */
    private String serverComputeRefusal(LexedSql sql, Plan plan) {
        boolean rulesOnly = policy.hasRulesOnlyColumns();
        String code = ServerCodeRules.refusal(sql, rulesOnly);
        if (code != null) return code;
        if (plan.kind() == StatementKind.DDL && sql.statementCount() <= 1
                && dev.warden.sql.SqlLexer.firstWord(sql.normalized()).equals("drop")) {
            return null;
        }
        return RefusedBuiltins.refusalInStatement(sql, rulesOnly);
    }

    /**
     * The refusal of a client large-object function ({@code lowrite}, {@code lo_open}...) in a statement naming a
     * protected table, or null. A large object is outside every table's rules: whatever reaches one from a
     * protected column (even a column the role may read in plaintext) could be read back by anyone, so the
     * large-object functions are allowed only in statements of their own, as clients' large-object interfaces
     * send them.
     */
    private String largeObjectOnProtectedTable(LexedSql sql, Plan plan) {
        String function = RefusedBuiltins.clientLargeObjectIn(sql);
        if (function == null) return null;
        List<String> protectedTables = new ArrayList<>();
        for (TableName t : plan.tables()) {
            if (policy.protectsTable(t.schema(), t.name())) protectedTables.add(t.toString());
        }
        if (protectedTables.isEmpty() && !sql.mentionsAny(policy.protectedTableNames())) return null;
        return "built-in " + function + " is refused in a statement on a protected table"
                + (protectedTables.isEmpty() ? "" : " (" + String.join(", ", protectedTables) + ")")
                + ": a large object is outside every table's rules, so no protected value may reach one";
    }

    /** "calls trusted function public.f (policy line 12)" for the audit trail, or null when it names none. */
    private String trustedFunctionsCalled(LexedSql sql) {
        if (policy.trustedFunctions().isEmpty()) return null;
        List<String> used = new ArrayList<>();
        for (dev.warden.policy.TrustedFunction f : policy.trustedFunctions().values()) {
            if (sql.words().contains(f.name())) used.add(f.qualifiedName() + " (policy line " + f.line() + ")");
        }
        if (used.isEmpty()) return null;
        java.util.Collections.sort(used);
        return "calls trusted function" + (used.size() > 1 ? "s " : " ") + String.join(", ", used);
    }

    private CompiledStatement compileData(LexedSql sql, Plan plan, String role, String purpose,
                                          ServerSideObjects.Snapshot objects, boolean withholdDenied)
            throws SQLException {
        String kind = plan.kind().name();
        List<String> tables = new ArrayList<>();
        boolean touchesProtected = false;
        String relation = null;
        String triggerTable = null;
        for (TableName t : plan.tables()) {
            tables.add(t.toString());
            touchesProtected |= policy.protectsTable(t.schema(), t.name());
            if (relation == null) relation = objects.relation(t);
            if (triggerTable == null) triggerTable = objects.triggerTable(t);
        }
        // a schema change is judged first, so that its refusal names the column and the reason
        SchemaChange change = plan.schemaChange();
        if (change != null && sql.statementCount() <= 1) {
            String refusal = new SchemaChangeRules(policy).refusal(change, objects.function(sql.words()));
            if (refusal != null) return CompiledStatement.refused(SqlStates.UNSUPPORTED, refusal, kind, tables);
        }
        // dropping or replacing such an object stays possible; reading or writing through it is not
        if (readsOrWritesData(plan.kind())) {
            String function = objects.function(sql.words());
            if (function == null) function = objects.operator(sql.normalized());
            String seen = relation != null ? relation : function != null ? function
                    : writes(plan.kind(), sql) ? triggerTable : null;
            if (seen != null) {
                return CompiledStatement.refused(SqlStates.UNSUPPORTED, seen + ": it reaches a protected table, or"
                        + " may reach any table, outside Warden's view (defined in the database, not through Warden),"
                        + " so Warden cannot tell what it reads or writes there: use the protected tables directly,"
                        + " or list a function you vouch for under functions: in the policy", kind, tables);
            }
        }
        // a statement the analyzer could not place fully may still name a protected table in its text
        if (!plan.resolved() && (touchesProtected || sql.mentionsAny(policy.protectedTableNames())
                || sql.mentionsAny(objects.words()))) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED,
                    "statement touches a protected table and cannot be fully analysed: "
                            + String.join("; ", plan.problems()), kind, tables);
        }
        boolean changesSchema = plan.kind() == StatementKind.DDL;
        if (!touchesProtected) {
            return new CompiledStatement(null, null, null, null, kind, tables, Map.of(), List.of(), List.of(),
                    changesSchema, false, null);
        }
        // the analyzer lets a protected column reach =, <>, IN and count by name; the server resolves those names
        // by search_path and argument types, so a user function or operator spelled like one would get the value
        String shadowing = readsOrWritesData(plan.kind()) ? objects.shadowing(sql.words(), sql.normalized()) : null;
        if (shadowing != null) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, shadowing + ": in a statement on a protected"
                    + " table the server may resolve a built-in's name or an operator to it and hand it protected"
                    + " values; drop or rename it, or list a function you vouch for under functions: in the policy",
                    kind, tables);
        }
        // then any other overload of what the analyzer allows (an implicit cast...), named less precisely
        if (objects.overload() != null && readsOrWritesData(plan.kind())) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, objects.overload() + " overloads a built-in that"
                    + " Warden lets the server apply to protected columns (=, <>, IN, count(), implicit casts): the"
                    + " server picks among same-named functions by argument types, so it could run that one over the"
                    + " stored values, out of Warden's view; drop it (or move it to an extension Warden treats as"
                    + " pure)", kind, tables);
        }
        if (sql.statementCount() > 1) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, "several statements in one call touch a"
                    + " protected table; send them one at a time", kind, tables);
        }
        if (changesSchema && change != null) {
            // allowed by SchemaChangeRules above: sent as written; the engine drops what it derived from table shapes
            return new CompiledStatement(null, null, null, null, kind, tables, Map.of(), List.of(), List.of(),
                    true, true, null);
        }
        if (changesSchema || plan.kind() == StatementKind.TRUNCATE || plan.kind() == StatementKind.COPY
                || plan.kind() == StatementKind.MERGE || plan.kind() == StatementKind.OTHER) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, plan.kind() + " on a protected table ("
                    + String.join(", ", tables) + ") is not supported through Warden", kind, tables);
        }

        ProtectedColumn[] slotColumns = new ProtectedColumn[sql.slots().size()];
        KeyExpansion.Form[] expandedForms = null;  // by slot, while the keyset holds several deterministic keys
        Set<String> written = new LinkedHashSet<>();
        Set<String> filtered = new LinkedHashSet<>();
        List<MatchWrites.Write> matchWrites = new ArrayList<>();
        List<MatchFilters.Filter> matchFilters = new ArrayList<>();
        List<WardenSort.SortUse> sortUses = new ArrayList<>();
        List<OrderFilters.Range> orderFilters = new ArrayList<>();
        dev.warden.sql.TableName minMaxTable = null;  // the table of MIN/MAX over encrypted columns; null: none
        for (ColumnUse use : plan.uses()) {
            String companion = companionRefusal(use.column());
            if (companion != null) {
                return CompiledStatement.refusedOn(SqlStates.UNSUPPORTED, companion, kind, tables,
                        use.column().table() + "." + use.column().column(), use.kind());
            }
            ColumnRule rule = rule(use.column());
            if (rule == null) continue;
            if (use.kind() == dev.warden.sql.UseKind.FILTER_ORDER && !rule.ordered()) {
                // no order index: judged like any computation on the column (allowed only on rules-only columns)
                use = new ColumnUse(use.column(), dev.warden.sql.UseKind.UNSUPPORTED, -1,
                        OrderFilters.describe(use.detail()));
            }
            if (use.kind() == dev.warden.sql.UseKind.FILTER_MATCH && !rule.match()) {
                // no index: judged like any computation on the column (allowed only on rules-only columns)
                use = new ColumnUse(use.column(), dev.warden.sql.UseKind.UNSUPPORTED, -1, likeKeyword(use.detail()));
            }
            if (sortedByWarden(use, rule, plan, sql)) {
                // ORDER BY an encrypted column: Warden sorts the decrypted rows itself (WardenSort checks the shape)
                if (rule.accessFor(role, purpose) != Access.PLAINTEXT) {
                    return CompiledStatement.refusedOn(SqlStates.DENIED, denial(role, purpose, "sort by", rule)
                            + ": Warden sorts the rows by its decrypted values, and the order of the rows would tell"
                            + " a role that does not read it in plaintext what the values are; only roles that read"
                            + " it in plaintext may sort by it" + PolicyHints.read(role, rule), kind, tables,
                            rule.qualifiedName(), use.kind());
                }
                sortUses.add(new WardenSort.SortUse(columns.of(rule), "COLLATE".equals(use.detail())));
                continue;
            }
            if (aggregatedByWarden(use, rule, plan, sql)) {
                // MIN or MAX of an encrypted column: Warden compares the decrypted values itself (WardenMinMax)
                if (rule.accessFor(role, purpose) != Access.PLAINTEXT) {
                    return CompiledStatement.refusedOn(SqlStates.DENIED, denial(role, purpose, "aggregate", rule)
                            + ": Warden computes MIN and MAX from its decrypted values, and the answer is one of them;"
                            + " only roles that read it in plaintext may aggregate it" + PolicyHints.read(role, rule),
                            kind, tables, rule.qualifiedName(), use.kind());
                }
                minMaxTable = use.column().table();
                continue;
            }
            String refusal = deniedColumnUse(use, rule, role, purpose);
            if (refusal == null) refusal = check(use, rule, role, purpose);
            if (refusal == null) refusal = checkAcrossKeys(use, rule);
            if (refusal != null) {
                String state = refusal.startsWith("role ") ? SqlStates.DENIED : SqlStates.UNSUPPORTED;
                return CompiledStatement.refusedOn(state, refusal, kind, tables, rule.qualifiedName(), use.kind());
            }
            switch (use.kind()) {
                case WRITE_VALUE -> {
                    slotColumns[use.slot()] = columns.of(rule);
                    written.add(rule.qualifiedName());
                    if (rule.match() || rule.ordered()) {
                        matchWrites.add(new MatchWrites.Write(use.slot(), use.kind(), columns.of(rule)));
                    }
                }
                case WRITE_NULL, WRITE_FROM_EXCLUDED -> {
                    written.add(rule.qualifiedName());
                    if (rule.match() || rule.ordered()) {
                        matchWrites.add(new MatchWrites.Write(-1, use.kind(), columns.of(rule)));
                    }
                }
                case FILTER_EQUALITY -> {
                    ProtectedColumn column = columns.of(rule);
                    slotColumns[use.slot()] = column;
                    filtered.add(rule.qualifiedName());
                    KeyExpansion.Form form = KeyExpansion.Form.of(use.detail());
                    // a parameter inside ARRAY[...] gets its stored type written out (see KeyExpansion)
                    boolean typedArrayItem = form == KeyExpansion.Form.ARRAY_ITEM && column.encrypted()
                            && sql.slots().get(use.slot()) instanceof dev.warden.sql.Slot.Parameter;
                    // an array parameter is written with its stored type and its elements encrypted when bound
                    if (column.equalityKeys() > 1 || typedArrayItem || form == KeyExpansion.Form.ARRAY_PARAMETER) {
                        if (expandedForms == null) expandedForms = new KeyExpansion.Form[slotColumns.length];
                        expandedForms[use.slot()] = form;
                    }
                }
                case FILTER_NULL, COMPARE_SAME_COLUMN, GROUP -> filtered.add(rule.qualifiedName());
                case FILTER_MATCH -> {
                    ProtectedColumn column = columns.of(rule);
                    if (use.slot() >= 0) slotColumns[use.slot()] = column;  // -1: the pattern NULL written inline
                    filtered.add(rule.qualifiedName());
                    matchFilters.add(matchFilter(use, column));
                }
                case FILTER_ORDER -> {
                    ProtectedColumn column = columns.of(rule);
                    OrderFilters.Range range = OrderFilters.range(use, column);
                    if (range.slot() >= 0) slotColumns[range.slot()] = column;
                    if (range.endSlot() >= 0) slotColumns[range.endSlot()] = column;
                    filtered.add(rule.qualifiedName());
                    orderFilters.add(range);
                }
                case COMPARE_OTHER_COLUMN -> {
                    String stored = storedAlike(rule, rule(use.other()));
                    if (stored != null) {
                        return CompiledStatement.refusedOn(SqlStates.UNSUPPORTED, stored, kind, tables,
                                rule.qualifiedName(), use.kind());
                    }
                    filtered.add(rule.qualifiedName());
                }
                default -> { }
            }
        }

        Map<String, String> read = new LinkedHashMap<>();
        List<OutputColumn> outputs = plan.outputs();
        ProtectedColumn[] outputColumns = new ProtectedColumn[outputs.size() + 1];
        Access[] access = new Access[outputs.size() + 1];
        boolean anyProtectedOutput = false;
        String[] withheld = null;
        String[] expectedLabels = null;  // see ResultDecoder#checkShape
        for (int i = 0; i < outputs.size(); i++) {
            OutputColumn output = outputs.get(i);
            String companion = output.origin() == null ? null : companionRefusal(output.origin());
            if (companion != null) {
                return CompiledStatement.refusedOn(SqlStates.UNSUPPORTED, companion, kind, tables,
                        output.origin().table() + "." + output.origin().column(), dev.warden.sql.UseKind.PROJECT);
            }
            ColumnRule rule = output.origin() == null ? null : rule(output.origin());
            if (rule == null) continue;
            Access granted = rule.accessFor(role, purpose);
            // under denied-columns: null the column stays in the result and reads as NULL (ResultDecoder#read)
            if (granted == Access.DENIED && policy.deniedColumns() != DeniedColumns.NULL) {
                if (!withholdDenied) {
                    return CompiledStatement.refusedOn(SqlStates.DENIED, denial(role, purpose, "read", rule)
                                    + PolicyHints.read(role, rule), kind,
                            tables, rule.qualifiedName(), dev.warden.sql.UseKind.PROJECT);
                }
                if (withheld == null) withheld = new String[outputs.size() + 1];
                withheld[i + 1] = denial(role, purpose, "read", rule) + "; it is among the generated keys only"
                        + " because RETURN_GENERATED_KEYS returns every column";
            }
            outputColumns[i + 1] = columns.of(rule);
            if (output.label() != null && output.label().equalsIgnoreCase(output.origin().column())) {
                if (expectedLabels == null) expectedLabels = new String[outputs.size() + 1];
                expectedLabels[i + 1] = output.label();
            }
            access[i + 1] = granted;
            anyProtectedOutput = true;
            read.merge(rule.qualifiedName(), granted.name().toLowerCase(Locale.ROOT), (a, b) -> a);
        }
        WardenMinMax minMax = null;
        if (minMaxTable != null) {
            dev.warden.sql.TableName table = minMaxTable;
            List<String> labels = new ArrayList<>();
            for (OutputColumn output : outputs) labels.add(output.label());
            try {
                minMax = WardenMinMax.of(sql.normalized(), labels, name -> {
                    ColumnRule named = rule(new ColumnRef(table, name));
                    return named == null || named.encryption() == Encryption.NONE ? null : columns.of(named);
                }, policy.sortRowCap());
            } catch (SQLException e) {
                return CompiledStatement.refused(SqlStates.UNSUPPORTED, e.getMessage().replaceFirst("^Warden: ", ""),
                        kind, tables);
            }
            // each result column shows its aggregate's column, decrypted (the role reads them all in plaintext)
            for (int i = 0; i < minMax.aggregates().size(); i++) {
                ProtectedColumn column = minMax.aggregates().get(i).column();
                outputColumns[i + 1] = column;
                access[i + 1] = Access.PLAINTEXT;
                anyProtectedOutput = true;
                read.put(column.rule().qualifiedName(), "plaintext");
            }
        }
        // a sort key is read in plaintext by Warden even when the result does not show it
        for (WardenSort.SortUse use : sortUses) read.put(use.column().rule().qualifiedName(), "plaintext");
        ResultDecoder decoder = anyProtectedOutput
                ? new ResultDecoder(outputColumns, access, outputs.size(), expectedLabels, columns.rowKeys(outputs),
                        withheld, rowNames(outputs, outputColumns)) : null;
        if ((!matchFilters.isEmpty() || !sortUses.isEmpty() || !orderFilters.isEmpty() || minMax != null)
                && expandedForms != null) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, "this statement filters through a match index and"
                    + " compares a deterministic column while the keyset holds several deterministic keys (after a"
                    + " rotation); Warden cannot rewrite both at once: finish the rotation (warden keys reencrypt, then"
                    + " warden keys retire)", kind, tables);
        }
        if (!matchWrites.isEmpty() && expandedForms != null) {
            return CompiledStatement.refused(SqlStates.UNSUPPORTED, "this statement writes a match column and compares"
                    + " a deterministic column while the keyset holds several deterministic keys (after a rotation);"
                    + " Warden cannot rewrite both at once: finish the rotation (warden keys reencrypt, then warden keys"
                    + " retire) or split the statement", kind, tables);
        }
        return new CompiledStatement(null, null, slotColumns, decoder, kind, tables, Map.copyOf(read),
                List.copyOf(written), List.copyOf(filtered), false, true,
                expandedForms == null ? null : new KeyExpansion(expandedForms))
                .withMatchWrites(matchWrites.isEmpty() ? null : new MatchWrites(matchWrites))
                .withMatchFilters(matchFilters.isEmpty() && sortUses.isEmpty() && orderFilters.isEmpty()
                        && minMax == null ? null
                        : new MatchFilters(matchFilters, orderFilters, outputs.size(), sortUses.isEmpty() ? null
                                : new WardenSort(sortUses, outputs, policy.sortRowCap()), minMax))
                .withTextEdits(plan.edits());
    }

    /**
     * True when {@code use} is an encrypted column in an ORDER BY item (bare, or under COLLATE) of a SELECT, which
     * Warden may sort itself ({@link WardenSort}); a rules-only column stays a computation the server does.
     */
    private static boolean sortedByWarden(ColumnUse use, ColumnRule rule, Plan plan, LexedSql sql) {
        return use.kind() == dev.warden.sql.UseKind.UNSUPPORTED && rule.encryption() != Encryption.NONE
                && plan.kind() == StatementKind.SELECT && sql.words().contains("order") && plan.tables().size() == 1
                && WardenSort.eligible(sql)
                && ("ORDER BY".equals(use.detail()) || "COLLATE".equals(use.detail()));
    }

    /**
     * True when {@code use} is an encrypted column under MIN or MAX in a SELECT of one table, which Warden may answer
     * itself ({@link WardenMinMax} checks the shape); a rules-only column stays a computation the server does.
     */
    private static boolean aggregatedByWarden(ColumnUse use, ColumnRule rule, Plan plan, LexedSql sql) {
        return use.kind() == dev.warden.sql.UseKind.UNSUPPORTED && rule.encryption() != Encryption.NONE
                && plan.kind() == StatementKind.SELECT && plan.tables().size() == 1
                && WardenMinMax.isMinOrMax(use.detail(), sql.words());
    }

    /** "LIKE", "ILIKE", "NOT LIKE" or "NOT ILIKE" of a FILTER_MATCH detail (without its " ESCAPE n"). */
    private static String likeKeyword(String detail) {
        int escape = detail.indexOf(" ESCAPE ");
        return escape < 0 ? detail : detail.substring(0, escape);
    }

    private static MatchFilters.Filter matchFilter(ColumnUse use, ProtectedColumn column) {
        String keyword = likeKeyword(use.detail());
        int escape = keyword.length() < use.detail().length()
                ? Integer.parseInt(use.detail().substring(keyword.length() + " ESCAPE ".length())) : -1;
        return new MatchFilters.Filter(use.slot(), escape, keyword.startsWith("NOT "), keyword.endsWith("ILIKE"), column);
    }

    /**
     * The refusal of a statement that names the companion column of a match column ({@code <column>_match}),
     * or null: the index is Warden's own, written only by Warden beside the column, and its tokens are no
     * application's business (reading them would hand out what the database learns, writing them would put the
     * index out of step with the values).
     */
    private String companionRefusal(ColumnRef ref) {
        ColumnRule owner = policy.matchCompanionOwner(ref.table().schema(), ref.table().name(), ref.column())
                .orElse(null);
        if (owner == null) {
            owner = policy.orderCompanionOwner(ref.table().schema(), ref.table().name(), ref.column()).orElse(null);
            if (owner == null) return null;
            return ref.table() + "." + ref.column() + " is the order index Warden keeps for " + owner.qualifiedName()
                    + " (order: true, policy line " + owner.line() + "): statements through Warden may not read or"
                    + " write it (Warden writes the index itself; * leaves it out)";
        }
        return ref.table() + "." + ref.column() + " is the match index Warden keeps for " + owner.qualifiedName()
                + " (match: true, policy line " + owner.line() + "): statements through Warden may not read or write"
                + " it (Warden writes the index itself; * leaves it out)";
    }

    /**
     * Under {@code denied-columns: null}, the refusal (42501) of a use of a column the role may not read that is
     * not a plain read, else null (and {@link #check} judges the use as usual). The column reads as NULL where a
     * result shows it as is; anywhere else NULL would stand in for a value the server still has: {@code
     * lower(col)}, {@code coalesce(col, …)}, {@code col IS NULL} in the select list, an ORDER BY or GROUP BY would
     * compute on the real value and answer accordingly, revealing it or contradicting the NULL shown. What the
     * policy already grants such a role stays: presence in a condition ({@code IS [NOT] NULL}, {@code COUNT(col)}),
     * comparisons a {@code filter:} list grants, and writes. Kinds not named here are refused, so a use the
     * analyzer learns later is refused until it is judged.
     */
    private String deniedColumnUse(ColumnUse use, ColumnRule rule, String role, String purpose) {
        if (policy.deniedColumns() != DeniedColumns.NULL || rule.accessFor(role, purpose) != Access.DENIED) return null;
        dev.warden.sql.UseKind kind = use.kind();
        boolean countDistinct = kind == dev.warden.sql.UseKind.COUNT && "COUNT(DISTINCT)".equals(use.detail());
        switch (kind) {
            case PROJECT, FILTER_NULL, WRITE_VALUE, WRITE_NULL, WRITE_FROM_EXCLUDED, COPIED:
                return null;
            case COUNT:
                if (!countDistinct) return null;
                break;
            case FILTER_EQUALITY, COMPARE_SAME_COLUMN:
                break;
            default:
                return denial(role, purpose, "read", rule) + ": denied-columns: null shows it as NULL only where a"
                        + " result lists it as is, not inside " + use.detail() + ", which the database would compute"
                        + " on its stored values";
        }
        // a comparison: allowed where the filter: list grants it (check then judges the column's encryption)
        return rule.mayFilter(role, purpose) && rule.encryption() != Encryption.RANDOMIZED ? null
                : filterDenial(role, purpose, use, rule);
    }

    /**
     * Null when the use gives the plaintext answer whatever key each row was written under, else the refusal.
     * After a rotation a deterministic column holds one plaintext as different ciphertexts (one per key) until
     * it is re-encrypted: filters against a value are rewritten to match every key (see {@link KeyExpansion}),
     * but a column compared with itself (a join, an ON CONFLICT target, a set operation, COUNT(DISTINCT))
     * would treat two generations of one value as different values, so it is refused until then.
     */
    private String checkAcrossKeys(ColumnUse use, ColumnRule rule) throws SQLException {
        boolean countDistinct = use.kind() == dev.warden.sql.UseKind.COUNT && "COUNT(DISTINCT)".equals(use.detail());
        if (use.kind() != dev.warden.sql.UseKind.COMPARE_SAME_COLUMN && use.kind() != dev.warden.sql.UseKind.GROUP
                && use.kind() != dev.warden.sql.UseKind.COMPARE_OTHER_COLUMN && !countDistinct) {
            return null;
        }
        if (rule.encryption() == Encryption.RANDOMIZED) {
            // randomized ciphertexts of one value all differ: only reachable for COUNT(DISTINCT)
            return "cannot count distinct values of " + rule.qualifiedName() + ": it is encrypted randomized"
                    + " (policy line " + rule.line() + "), so every value looks distinct to the database"
                    + PolicyHints.deterministicOnly("COUNT(DISTINCT)");
        }
        if (rule.encryption() != Encryption.DETERMINISTIC) return null;
        int keys = columns.of(rule).equalityKeys();
        if (keys == 1) return null;
        return use.detail() + " on " + rule.qualifiedName() + " is refused while the keyset holds " + keys
                + " deterministic keys (after a key rotation): rows written under different keys hold the same"
                + " value as different ciphertexts, so the database would not see them as equal. Finish the"
                + " rotation first: warden keys reencrypt, then warden keys retire";
    }

    /** Whether the statement may write: anything but a SELECT, and a SELECT with a data-modifying CTE. */
    private static boolean writes(StatementKind kind, LexedSql sql) {
        return kind != StatementKind.SELECT || sql.mentionsAny(WRITING_WORDS);
    }

    private static final Set<String> WRITING_WORDS = Set.of("insert", "update", "delete", "merge");

    private static boolean readsOrWritesData(StatementKind kind) {
        return kind == StatementKind.SELECT || kind == StatementKind.INSERT || kind == StatementKind.UPDATE
                || kind == StatementKind.DELETE || kind == StatementKind.MERGE || kind == StatementKind.COPY
                || kind == StatementKind.OTHER;
    }

    /**
     * For each protected result column, its table's primary key and where the result shows it, so that a
     * decryption error names the row by key ({@link RowNames}); a key with a protected column is never used.
     */
    private RowNames rowNames(List<OutputColumn> outputs, ProtectedColumn[] outputColumns) {
        int[] positions = new int[outputColumns.length];
        String[] keys = new String[outputColumns.length];
        for (int i = 1; i < outputColumns.length; i++) {
            // a MIN or MAX Warden computes (no origin) shows no row of its own to name
            if (outputColumns[i] == null || outputs.get(i - 1).origin() == null) continue;
            TableName table = outputs.get(i - 1).origin().table();
            String key = columns.primaryKey(table);
            if (key == null || rule(new ColumnRef(table, key)) != null) continue;
            keys[i] = key;
            for (int j = 0; j < outputs.size(); j++) {
                ColumnRef origin = outputs.get(j).origin();
                if (origin != null && origin.table().equals(table) && origin.column().equals(key)) {
                    positions[i] = j + 1;
                    break;
                }
            }
        }
        return new RowNames(positions, keys);
    }

    private ColumnRule rule(ColumnRef ref) {
        return policy.column(ref.table().schema(), ref.table().name(), ref.column()).orElse(null);
    }

    /**
     * Null when the use is allowed, else the refusal message (starting "role " for policy denials).
     *
     * <p>Filtering is a right of its own ({@link ColumnRule#mayFilter}): every use that has the database compare
     * the column's values (equality, IN, a join or ON CONFLICT target, a set operation or COUNT(DISTINCT), and on a
     * rules-only column any computation: GROUP BY, DISTINCT, LIKE...) tells the role which rows hold a value it
     * can guess, so a role that sees the column masked (or not at all) may not do it unless the policy says so.
     * IS [NOT] NULL and COUNT(col) reveal only whether a value is present, and stay open to every role.
     */
    private String check(ColumnUse use, ColumnRule rule, String role, String purpose) {
        String column = rule.qualifiedName();
        Encryption encryption = rule.encryption();
        return switch (use.kind()) {
            case PROJECT, FILTER_NULL -> null;  // reads are judged per output column; presence is not the value
            case COUNT -> "COUNT(DISTINCT)".equals(use.detail()) && !rule.mayFilter(role, purpose)
                    ? filterDenial(role, purpose, use, rule) : null;
            case FILTER_MATCH, FILTER_ORDER -> rule.mayFilter(role, purpose) ? null
                    : filterDenial(role, purpose, use, rule);
            case FILTER_EQUALITY, COMPARE_SAME_COLUMN -> {
                if (encryption == Encryption.RANDOMIZED) {
                    yield "cannot compare " + column + ": it is encrypted randomized (policy line " + rule.line()
                            + "); only IS [NOT] NULL works on it, use encrypt: deterministic for equality search";
                }
                yield rule.mayFilter(role, purpose) ? null : filterDenial(role, purpose, use, rule);
            }
            case GROUP -> groupRefusal(use, rule, role, purpose);
            case COMPARE_OTHER_COLUMN -> joinRefusal(use, rule, role, purpose);
            case WRITE_VALUE, WRITE_NULL, WRITE_FROM_EXCLUDED ->
                    rule.mayWrite(role) ? null : denial(role, purpose, "write", rule) + PolicyHints.write(role, rule);
            case COPIED -> "protected column " + column + " may not be copied by the server into another column or"
                    + " table (" + use.detail() + "): the copy would leave its rule (policy line " + rule.line()
                    + "), its encryption binding and the audit of its reads behind; read it and write the value"
                    + " back through Warden instead";
            case UNSUPPORTED -> {
                // a rules-only column may be computed on by a role that sees its plaintext anyway and may filter
                if (encryption == Encryption.NONE) yield rulesOnlyComputation(use, rule, role, purpose);
                yield unsupported(use, rule);
            }
        };
    }

    private static String unsupported(ColumnUse use, ColumnRule rule) {
        return "unsupported use of protected column " + rule.qualifiedName() + ": " + use.detail()
                + PolicyHints.unsupported(use, rule);
    }

    /**
     * A rules-only column is plaintext in the database: the server may compute on it (LIKE, functions, GROUP BY)
     * only for a role that reads it in plaintext anyway and may filter on it.
     */
    private static String rulesOnlyComputation(ColumnUse use, ColumnRule rule, String role, String purpose) {
        boolean mayFilter = rule.mayFilter(role, purpose);
        if (mayFilter && rule.accessFor(role, purpose) == Access.PLAINTEXT) return null;
        if (!mayFilter) return filterDenial(role, purpose, use, rule);
        return unsupported(use, rule);
    }

    /**
     * Equality between two different columns: their ciphertexts are comparable only when the policy puts both in
     * one join group (one binding, one type, both deterministic); then it is a comparison like any other.
     */
    private String joinRefusal(ColumnUse use, ColumnRule rule, String role, String purpose) {
        // a rules-only column is compared as plaintext: a computation on it, as before join groups
        if (rule.encryption() == Encryption.NONE) return rulesOnlyComputation(use, rule, role, purpose);
        ColumnRule other = use.other() == null ? null : rule(use.other());
        if (!rule.joinsWith(other)) {
            return "unsupported use of protected column " + rule.qualifiedName() + ": compared with "
                    + (use.other() == null ? "another column" : other == null ? "unprotected column " + use.other()
                    : other.qualifiedName()) + " (" + use.detail() + ")" + PolicyHints.joinGroup(rule, other);
        }
        return rule.mayFilter(role, purpose) ? null : filterDenial(role, purpose, use, rule);
    }

    /** Null when two columns of one join group store ciphertext alike (both bytea or both text), else why not. */
    private String storedAlike(ColumnRule rule, ColumnRule other) throws SQLException {
        if (other == null || columns.of(rule).storage() == columns.of(other).storage()) return null;
        return rule.qualifiedName() + " and " + other.qualifiedName() + " are in one join group but one stores its"
                + " ciphertext as bytea and the other as text, so the database cannot compare them; give both"
                + " columns the same type";
    }

    /**
     * GROUP BY or DISTINCT of the bare column. Under one deterministic key equal values have equal ciphertexts,
     * so the database's groups are the plaintext's groups: a comparison, which needs the filter right (and is
     * refused during a rotation, see {@link #checkAcrossKeys}). A randomized column's ciphertexts all differ, so
     * every row would be a group of its own. A rules-only column is grouped on its plaintext, and a sort the
     * server may choose for it shows the values' order besides their equality: a computation (see
     * {@link #rulesOnlyComputation}).
     */
    private static String groupRefusal(ColumnUse use, ColumnRule rule, String role, String purpose) {
        return switch (rule.encryption()) {
            case DETERMINISTIC -> rule.mayFilter(role, purpose) ? null : filterDenial(role, purpose, use, rule);
            case RANDOMIZED -> "cannot use " + use.detail() + " on " + rule.qualifiedName() + ": it is encrypted"
                    + " randomized (policy line " + rule.line() + "), so every stored value differs and the database"
                    + " would see no two rows as equal" + PolicyHints.deterministicOnly(use.detail());
            case NONE -> rulesOnlyComputation(use, rule, role, purpose);
        };
    }

    /** The refusal of a comparison or computation by a role without the filter right; names the use, never a value. */
    private static String filterDenial(String role, String purpose, ColumnUse use, ColumnRule rule) {
        String who = rule.filterers() == null
                ? "only roles that read it in plaintext" + (rule.purposes().isEmpty() ? "" : " for the declared purpose")
                        + " may, unless its 'filter' list names others"
                : rule.filterers().isEmpty() ? "its 'filter' list names no role"
                : "only the roles its 'filter' list names may (" + String.join(", ", new TreeSet<>(rule.filterers())) + ")";
        if (use.kind() == dev.warden.sql.UseKind.UNSUPPORTED || rule.encryption() == Encryption.NONE
                && (use.kind() == dev.warden.sql.UseKind.GROUP || use.kind() == dev.warden.sql.UseKind.COMPARE_OTHER_COLUMN)) {
            // a rules-only column: the server would compute on its plaintext (GROUP BY, LIKE, a function...)
            return denial(role, purpose, "filter on or compute with", rule) + ": the database would compute on its"
                    + " values (" + use.detail() + "), which can reveal them; " + who + PolicyHints.filter(role, rule);
        }
        return denial(role, purpose, "filter on", rule) + ": the database would compare its values (" + use.detail()
                + "), which tells which rows hold a guessed value; " + who + PolicyHints.filter(role, rule);
    }

    private static String denial(String role, String purpose, String action, ColumnRule rule) {
        return "role '" + role + "'" + (purpose == null ? "" : " acting for purpose '" + purpose + "'")
                + " may not " + action + " " + rule.qualifiedName() + " (policy line " + rule.line() + ")";
    }
}

package dev.warden.cli.check;

import dev.warden.crypto.WardenKeyset;
import dev.warden.engine.CiphertextCensus;
import dev.warden.engine.DatabaseUserCheck;
import dev.warden.policy.AuditSettings;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a loaded policy against the live database it is meant for: every protected table and column exists, an
 * encrypted column has a type ciphertext can be stored in, a {@code match: true} column has its companion, the
 * values of encrypted columns are ciphertext under the keyset (plaintext left behind is counted, never shown),
 * the database user holds no powers Warden cannot stop (a warning), and the audit trail's location can be
 * written. Reads the catalog and the protected columns; writes nothing. Not thread-safe; one per run.
 */
public final class PolicyCheck {

    /** How much of each encrypted column is read: every row, or the first {@code rows}. */
    public record Scope(long rows) {
        public static Scope all() {
            return new Scope(0);
        }

        public String describe() {
            return rows <= 0 ? "all rows" : "a sample of the first " + rows + " rows";
        }
    }

    /** The outcome: the findings in policy order, and each encrypted column's counts (for {@code warden assess}). */
    public record Result(List<CheckFinding> findings, List<CiphertextCensus.Count> counts) {
        public boolean clean() {
            return findings.stream().noneMatch(f -> f.severity() == CheckFinding.Severity.ERROR);
        }
    }

    private static final String COLUMNS = """
            SELECT a.attname, t.typname
              FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped""";

    private final List<CheckFinding> findings = new ArrayList<>();
    private final List<CiphertextCensus.Count> counts = new ArrayList<>();

    private PolicyCheck() {}

    /**
     * @param keyset the policy's keyset, or null when it cannot be checked (the reason is then in
     *               {@code keysetProblem}, reported as an error when the policy encrypts a column)
     */
    public static Result run(Policy policy, WardenKeyset keyset, String keysetProblem, Connection connection,
                             Scope scope) throws SQLException {
        PolicyCheck check = new PolicyCheck();
        check.columns(policy, keyset, keysetProblem, connection, scope);
        check.user(connection);
        check.audit(policy);
        return new Result(List.copyOf(check.findings), List.copyOf(check.counts));
    }

    private void columns(Policy policy, WardenKeyset keyset, String keysetProblem, Connection connection, Scope scope)
            throws SQLException {
        boolean encrypts = policy.columns().stream().anyMatch(r -> r.encryption() != Encryption.NONE);
        if (encrypts && keyset == null) {
            error(0, "keyset " + policy.keysetPath() + ": " + keysetProblem + "; the values of encrypted columns"
                    + " were not checked");
        }
        Map<String, Map<String, String>> tables = new HashMap<>();
        Map<String, Integer> missingTables = new LinkedHashMap<>();
        for (ColumnRule rule : policy.columns()) {
            String table = (rule.schema() == null ? "" : quote(rule.schema()) + ".") + quote(rule.table());
            String shown = (rule.schema() == null ? "" : rule.schema() + ".") + rule.table();
            Map<String, String> columns = tables.get(table);
            if (columns == null) {
                columns = columnsOf(connection, table);
                tables.put(table, columns);
            }
            if (columns.isEmpty()) {
                if (missingTables.putIfAbsent(shown, rule.line()) == null) {
                    error(rule.line(), "table " + shown + " does not exist in the database (or the user may not see it)");
                }
                continue;
            }
            String type = columns.get(rule.column());
            if (type == null) {
                error(rule.line(), rule.qualifiedName() + ": no such column in table " + shown);
                continue;
            }
            if (rule.encryption() == Encryption.NONE) continue;
            if (!CiphertextCensus.storable(type)) {
                error(rule.line(), rule.qualifiedName() + " is of type " + type + " in the database; an encrypted column"
                        + " must be bytea or text (ALTER TABLE " + shown + " ALTER COLUMN " + rule.column() + " TYPE text)");
                continue;
            }
            if (rule.match()) {
                String companion = columns.get(rule.matchColumn());
                if (companion == null) {
                    error(rule.line(), rule.qualifiedName() + " has match: true but its companion " + shown + "."
                            + rule.matchColumn() + " is missing: run warden schema --apply, then warden keys reencrypt");
                } else if (!"_int8".equals(companion)) {
                    error(rule.line(), "the companion " + shown + "." + rule.matchColumn() + " is of type " + companion
                            + "; Warden keeps a bigint[] there");
                }
            }
            if (keyset != null) census(connection, rule, type, keyset, scope);
        }
    }

    private void census(Connection connection, ColumnRule rule, String type, WardenKeyset keyset, Scope scope)
            throws SQLException {
        CiphertextCensus.Count c = CiphertextCensus.count(connection, rule, type, keyset, scope.rows());
        counts.add(c);
        String over = c.complete() ? "all " + c.scanned() + " rows" : "a sample of the first " + c.scanned() + " rows";
        if (c.plaintext() > 0) {
            error(rule.line(), rule.qualifiedName() + ": " + c.plaintext() + " value(s) in " + over + " are not"
                    + " ciphertext under the keyset (plaintext left behind?): encrypt them with warden keys reencrypt"
                    + " --from-plaintext " + rule.qualifiedName());
        }
        if (c.unreadable() > 0) {
            error(rule.line(), rule.qualifiedName() + ": " + c.unreadable() + " value(s) in " + over + " carry a key of"
                    + " the keyset but do not open (a retired key, another column's ciphertext, or modified)");
        }
    }

    private void user(Connection connection) {
        try {
            String warning = DatabaseUserCheck.warning(connection.getMetaData().getUserName(),
                    DatabaseUserCheck.powers(connection));
            if (warning != null) warning(0, warning.replaceFirst("^Warden: ", ""));
        } catch (SQLException e) {
            warning(0, "the database user's powers could not be checked (SQLState " + e.getSQLState() + ")");
        }
    }

    private void audit(Policy policy) {
        AuditSettings audit = policy.audit();
        if (audit == null) {
            warning(0, "the policy configures no audit trail: statements are not recorded (add an audit: section)");
            return;
        }
        if (audit.table() != null) return;  // a database trail is checked by the engine when it opens it
        Path file = audit.path().toAbsolutePath();
        Path dir = file.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            error(0, "audit trail " + file + ": its directory does not exist");
        } else if (!Files.isWritable(dir)) {
            error(0, "audit trail " + file + ": its directory " + dir + " is not writable by this user");
        } else if (Files.exists(file) && !Files.isWritable(file)) {
            error(0, "audit trail " + file + " is not writable by this user");
        }
    }

    private static Map<String, String> columnsOf(Connection connection, String table) throws SQLException {
        Map<String, String> columns = new HashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(COLUMNS)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) columns.put(rs.getString(1), rs.getString(2));
            }
        }
        return columns;
    }

    private void error(int line, String message) {
        findings.add(new CheckFinding(CheckFinding.Severity.ERROR, line, message));
    }

    private void warning(int line, String message) {
        findings.add(new CheckFinding(CheckFinding.Severity.WARNING, line, message));
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}

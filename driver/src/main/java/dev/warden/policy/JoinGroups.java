package dev.warden.policy;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads and checks the {@code join-group:} of each column while one policy file is read. A join group names
 * columns (usually of different tables) whose values the database may compare with each other, for equi-joins:
 * they share one cipher binding, so each must be encrypted deterministic and of the same logical type as the
 * group's first column. Every error names the file, the line and the rule. One instance per policy read; not
 * thread-safe.
 */
final class JoinGroups {

    /** A group name: a word without dots, so that its binding never equals a column's qualified name. */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_-]*");

    private record Member(String column, ColumnType type, int line) {}

    private final String source;
    private final Map<String, Member> first = new HashMap<>();

    JoinGroups(String source) {
        this.source = source;
    }

    /** The group the column's {@code join-group} entry names, or null without one. */
    String read(Node node, Encryption encryption, ColumnType type, String schema, String table, String column,
                String path) throws PolicyException {
        if (node == null) return null;
        String where = path + ".join-group";
        if (!(node instanceof ScalarNode scalar) || scalar.getValue().isEmpty()) {
            throw fail(node, where, "expected a group name");
        }
        String name = scalar.getValue();
        if (!NAME.matcher(name).matches()) {
            throw fail(node, where, "'" + name + "' is not a group name (lower-case letters, digits, _ and -)");
        }
        if (encryption != Encryption.DETERMINISTIC) {
            throw fail(node, where, "the column is encrypted " + encryption.name().toLowerCase(Locale.ROOT) + "; only"
                    + " encrypt: deterministic columns can be joined on, since only they give equal ciphertexts for"
                    + " equal values");
        }
        String qualified = (schema == null ? "" : schema + ".") + table + "." + column;
        Member seen = first.putIfAbsent(name, new Member(qualified, type, YamlPolicyReader.line(node)));
        if (seen != null && seen.type() != type) {
            throw fail(node, where, "join group '" + name + "' holds " + seen.column() + " of type "
                    + seen.type().name().toLowerCase(Locale.ROOT) + " (line " + seen.line() + "), but this column is of"
                    + " type " + type.name().toLowerCase(Locale.ROOT) + ": the columns of a group must hold values"
                    + " of one type");
        }
        return name;
    }

    private PolicyException fail(Node node, String path, String problem) {
        return new PolicyException(source + ":" + YamlPolicyReader.line(node) + ": " + path + ": " + problem);
    }
}

package dev.warden.cli.discover;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes {@code warden discover}'s findings as a commented policy in Warden's format (docs/policy.md) for a
 * person to review: one protected column per finding, {@code deterministic} where the application looks rows up
 * by the column (so that its equality look-ups keep working), {@code randomized} elsewhere, a mask chosen for
 * the kind, one role ({@code app}) to rename and split. Each column's comment says what was found and how;
 * never a value. Stateless.
 */
public final class PolicyProposal {

    /** The role the proposal grants everything to: the application as it runs today. */
    public static final String ROLE = "app";

    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    private PolicyProposal() {}

    /** The policy text; {@code source} names the database scanned (no password), {@code now} dates it. */
    public static String yaml(List<Finding> findings, String source, Instant now) {
        StringBuilder y = new StringBuilder();
        y.append("# Warden policy proposed by warden discover on ").append(now.truncatedTo(ChronoUnit.SECONDS))
                .append("\n# from ").append(source).append(".\n")
                .append("# A starting point to review, not a policy to deploy as is. Each column's comment says what\n")
                .append("# was found: the detector and the share of sampled values it matched, or the column's name.\n")
                .append("# Next steps (docs/rollout.md): create the keyset, give each role its own grants, check this\n")
                .append("# file against the database (warden policy check), run the application under it in\n")
                .append("# observe mode, then encrypt the existing values (warden keys reencrypt --from-plaintext).\n")
                .append("keyset: warden-keyset.json        # create it: warden keys create --out warden-keyset.json\n")
                .append("roles:\n")
                .append("  ").append(ROLE).append(": {}                          # the application as it runs today;"
                        + " add a role per kind of user (support, analyst, ...)\n");
        Map<String, List<Finding>> byTable = new LinkedHashMap<>();
        Set<String> bareNames = new HashSet<>();
        List<String> leftOut = new ArrayList<>();
        for (Finding f : findings) {
            String table = "public".equals(f.schema()) ? f.table() : f.schema() + "." + f.table();
            if (!byTable.containsKey(table) && !bareNames.add(f.table())) {
                // a policy may not name two tables of one bare name (a statement naming neither schema is ambiguous)
                leftOut.add(f.qualifiedName());
                continue;
            }
            byTable.computeIfAbsent(table, t -> new ArrayList<>()).add(f);
        }
        if (byTable.isEmpty()) {
            y.append("tables: {}                        # no personal data found in the sample\n");
        } else {
            y.append("tables:\n");
        }
        for (Map.Entry<String, List<Finding>> table : byTable.entrySet()) {
            y.append("  ").append(key(table.getKey())).append(":\n");
            for (Finding f : table.getValue()) column(y, f);
        }
        for (String name : leftOut) {
            y.append("# not proposed: ").append(name).append(" (another schema has a table of the same name; a policy"
                    + " names each bare table name once)\n");
        }
        y.append("audit:\n  path: warden-audit.jsonl          # relative to this file\n");
        return y.toString();
    }

    private static void column(StringBuilder y, Finding f) {
        boolean deterministic = f.lookup() != null;
        y.append("    ").append(key(f.column())).append(":                  # ").append(f.kind()).append(", ")
                .append(f.evidence()).append('\n');
        y.append("      # ").append(deterministic
                ? "deterministic: rows are looked up by it (" + f.lookup() + "), equality keeps working"
                : "randomized: no index or key uses it, so nothing compares its values").append('\n');
        String type = logicalType(f.dataType());
        if (!"text".equals(f.dataType()) && !"character varying".equals(f.dataType()) && !"bytea".equals(f.dataType())) {
            y.append("      # stored as ").append(f.dataType()).append(" today: change it to text or bytea before"
                    + " encrypting (ALTER TABLE ... ALTER COLUMN ... TYPE text)\n");
        }
        if ("primary key".equals(f.lookup())) {
            y.append("      # part of the primary key: warden keys reencrypt needs an unprotected primary key\n");
        }
        if ("foreign key".equals(f.lookup())) {
            y.append("      # a foreign key: encrypt the other side too, in one join-group (docs/policy.md)\n");
        }
        y.append("      encrypt: ").append(deterministic ? "deterministic" : "randomized").append('\n');
        if (type != null) y.append("      type: ").append(type).append('\n');
        y.append("      read: { ").append(ROLE).append(": plaintext }\n");
        y.append("      mask: ").append(mask(f.kind(), type)).append('\n');
        y.append("      write: [").append(ROLE).append("]\n");
    }

    /** The mask for a kind: the shape people recognise where it tells little, else nothing of the value. */
    static String mask(String kind, String type) {
        if (type != null) return "redact";
        return switch (kind) {
            case "email" -> "email";
            case "phone", "card-number", "iban" -> "last4";
            default -> "redact";
        };
    }

    /** The policy's {@code type:} for a database type; null for text (the default). */
    static String logicalType(String dataType) {
        if (dataType.startsWith("timestamp")) return "timestamp";
        return switch (dataType) {
            case "date" -> "date";
            case "integer", "smallint" -> "integer";
            case "bigint" -> "bigint";
            case "numeric", "real", "double precision" -> "numeric";
            case "bytea" -> "bytes";
            default -> null;
        };
    }

    private static String key(String name) {
        if (PLAIN_KEY.matcher(name).matches()) return name;
        return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}

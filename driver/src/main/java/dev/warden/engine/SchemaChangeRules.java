package dev.warden.engine;

import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.sql.SchemaChange;
import dev.warden.sql.TableName;
import java.util.Locale;
import java.util.Set;

/**
 * Decides whether a schema change may run through Warden on tables the policy protects. A change is allowed
 * exactly when it cannot put plaintext or a server-computed value into a protected column, cannot keep a
 * protected value (or a literal compared with one) in the catalog, and cannot make the policy silently stop
 * matching the table; everything else on a protected table is refused with a message naming the table.column
 * and the reason, never a value (the change was read from the normalised text, which holds none).
 *
 * <p>A protected column here is any column the policy declares, encrypted or rules-only: renaming, dropping
 * or computing it would put it out of step with its rule either way. Effects on tables the policy does not
 * protect are allowed, except a table taking a protected table's name. Stateless and thread-safe.
 */
final class SchemaChangeRules {

    /** Column types an encrypted column may be created with (see {@link Storage}: bytea, or base64 in text). */
    private static final Set<String> CIPHERTEXT_TYPES = Set.of("bytea", "text", "pg_catalog.bytea", "pg_catalog.text");

    private final Policy policy;

    SchemaChangeRules(Policy policy) {
        this.policy = policy;
    }

    /**
     * The refusal of {@code change}, or null when it may run.
     *
     * @param serverFunction a function of the database that reaches a protected table and that the statement
     *                       names (see {@link ServerSideObjects.Snapshot#function}), or null
     */
    String refusal(SchemaChange change, String serverFunction) {
        for (SchemaChange.Effect effect : change.effects()) {
            if (serverFunction != null && effect.kind() == SchemaChange.Kind.EXPRESSION) {
                return change.statement() + " on " + effect.table() + " keeps an expression (" + effect.detail()
                        + ") naming " + serverFunction + ": the database would run it on later writes, out of"
                        + " Warden's view";
            }
            if (!policy.protectsTable(effect.table().schema(), effect.table().name())) continue;
            String refusal = refusal(change.statement(), effect);
            if (refusal != null) return refusal;
        }
        return null;
    }

    private String refusal(String statement, SchemaChange.Effect effect) {
        TableName table = effect.table();
        ColumnRule rule = effect.column() == null || effect.column().equals("*") ? null
                : policy.column(table.schema(), table.name(), effect.column()).orElse(null);
        String column = rule == null ? null : describe(rule);
        return switch (effect.kind()) {
            case CREATE_TABLE, TABLE_OPTION, COLUMN_OPTION, NULL_TEST, INDEXED, EXPRESSION -> null;
            case ADD_COLUMN -> {
                if (rule == null || rule.encryption() == Encryption.NONE) yield null;
                String type = effect.detail().toLowerCase(Locale.ROOT);
                yield CIPHERTEXT_TYPES.contains(type) ? null : statement + " creates " + column + " as " + effect.detail()
                        + ": an encrypted column holds ciphertext and must be bytea or text";
            }
            case COLUMN_VALUE -> rule == null ? null : statement + " " + effect.detail() + " on " + column
                    + " is refused: the database would compute its values, which Warden cannot encrypt (they would be"
                    + " stored as plaintext or read as ciphertext that does not open)";
            case COLUMN_TYPE -> rule == null ? null : statement + " changing the type of " + column
                    + " is refused: the database would convert the stored ciphertext. Take the column out of the"
                    + " policy first, or change it outside Warden";
            case EXPRESSION_READ -> {
                if (effect.column().equals("*")) {
                    yield statement + " is refused: its " + effect.detail() + " reads whole rows of " + table
                            + ", which hold protected columns";
                }
                yield rule == null ? null : statement + " is refused: its " + effect.detail() + " reads " + column
                        + ". The database would evaluate it over ciphertext, and a value compared with it would be"
                        + " kept in the catalog in plaintext (only IS [NOT] NULL tests of a protected column are allowed)";
            }
            case UNIQUE_KEY -> rule == null || rule.encryption() != Encryption.RANDOMIZED ? null
                    : statement + " " + effect.detail() + " over " + column + " is refused: it is encrypted randomized,"
                    + " so every value is stored as a different ciphertext and uniqueness would never be enforced"
                    + " (use encrypt: deterministic)";
            case FOREIGN_KEY -> rule == null ? null : statement + " " + effect.detail() + " over " + column
                    + " is refused: its ciphertext would not match the referenced column's values, and ON UPDATE/"
                    + "DELETE actions would write server-computed values into it";
            case DROP_COLUMN -> rule == null ? null : statement + " dropping " + column + " is refused: the policy"
                    + " would no longer match the table. Take the column out of the policy first";
            case RENAME_COLUMN -> {
                if (rule != null) {
                    yield statement + " renaming " + column + " is refused: the policy names it, so it would silently"
                            + " stop applying and later writes would be stored in plaintext";
                }
                ColumnRule target = policy.column(table.schema(), table.name(), effect.detail()).orElse(null);
                yield target == null ? null : statement + " renaming " + table + "." + effect.column() + " to "
                        + describe(target) + " is refused: its values are not encrypted, and the policy would take them"
                        + " as ciphertext";
            }
            case RENAME_TABLE -> statement + " " + effect.detail() + " on protected table " + table + " is refused: the"
                    + " policy names the table, so it would silently stop applying and later writes would be stored in"
                    + " plaintext";
            case NEW_TABLE_NAME -> statement + " " + effect.detail() + " is refused: the table would take the name of"
                    + " protected table " + table + ", and its unencrypted values would come under the policy";
            case MOVES_ROWS -> statement + " " + effect.detail() + " on protected table " + table + " is refused: rows"
                    + " would move between it and a table the policy does not name";
            case SERVER_CODE -> statement + " (" + effect.detail() + ") on protected table " + table + " is refused:"
                    + " server code could write server-computed values into its protected columns; create it outside"
                    + " Warden if you must";
            case UNSUPPORTED -> statement + " on protected table " + table + " is not supported through Warden: "
                    + effect.detail() + (effect.column() == null ? "" : " (column " + effect.column() + ")")
                    + " is not understood";
        };
    }

    private static String describe(ColumnRule rule) {
        return "protected column " + rule.qualifiedName() + " (policy line " + rule.line() + ")";
    }
}

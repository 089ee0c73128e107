package dev.warden.cli;

import dev.warden.audit.AuditSink;
import dev.warden.engine.EngineConfig;
import dev.warden.engine.Reencryption;
import dev.warden.gateway.GatewayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden keys reencrypt}: rewrites protected tables under the keyset's primary keys (after a rotation),
 * and encrypts columns newly put under the policy. The work is {@link Reencryption}'s; this class parses
 * options, opens a plain JDBC connection and prints counts, never a value.
 */
@Command(name = "reencrypt", mixinStandardHelpOptions = true,
        description = {"Re-encrypt protected tables under the primary keys, in batches, one transaction each."
                + " Safe to interrupt and run again: values already under the primary key are left as they are.",
                "Values that do not decrypt are an error, except in columns named with --from-plaintext, where"
                        + " they are taken as plaintext (to protect an existing column: change its type to text or"
                        + " bytea, add it to the policy, then run this)."})
final class ReencryptCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, description = "the policy file (its keyset is used)")
    String policy;

    @Option(names = "--url", required = true, description = "plain JDBC URL of the database, e.g."
            + " jdbc:postgresql://db:5432/shop (not jdbc:warden:)")
    String url;

    @Option(names = "--user", description = "database user")
    String user;

    @Option(names = "--password", description = "database password reference: env:NAME or file:PATH")
    String password;

    @Option(names = "--master-key", description = KeysCommand.MASTER_KEY_HELP)
    String masterKey;

    @Option(names = "--table", description = "a table to re-encrypt (repeatable; default: every table the"
            + " policy encrypts a column of)")
    List<String> tables = new ArrayList<>();

    @Option(names = "--from-plaintext", paramLabel = "TABLE.COLUMN", description = "a column whose values that do"
            + " not decrypt are plaintext to encrypt (repeatable); COLUMN alone when one --table is given")
    List<String> fromPlaintext = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "500", description = "rows per transaction (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--dry-run", description = "count what would change, write nothing")
    boolean dryRun;

    @Option(names = "--audit-trail", paramLabel = "FILE", description = "record the run in this JSON Lines trail"
            + " (chained under the keyset's audit key) instead of the policy's: for a run while a gateway or"
            + " application holds the policy's file trail")
    Path auditTrail;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (url.startsWith("jdbc:warden:")) {
            err.println("warden keys reencrypt: give the plain JDBC URL (without warden:): the tool reads and"
                    + " writes ciphertext directly");
            return 2;
        }
        if (password != null && !password.startsWith("env:") && !password.startsWith("file:")) {
            err.println("warden keys reencrypt: --password takes env:NAME or file:PATH, so that the password does"
                    + " not appear in the process list");
            return 2;
        }
        if (batchSize < 1) {
            err.println("warden keys reencrypt: --batch-size must be at least 1");
            return 2;
        }
        Reencryption reencryption;
        try {
            reencryption = Reencryption.open(new EngineConfig(policy, masterKey));
        } catch (SQLException e) {
            err.println("warden keys reencrypt: " + e.getMessage());
            return 2;
        }
        List<String> chosen = tables.isEmpty() ? reencryption.encryptedTables() : tables;
        Map<String, Set<String>> plaintextColumns = new LinkedHashMap<>();
        for (String t : chosen) plaintextColumns.put(t.toLowerCase(Locale.ROOT), new LinkedHashSet<>());
        for (String column : fromPlaintext) {
            String c = column.toLowerCase(Locale.ROOT);
            int dot = c.lastIndexOf('.');
            String table = dot < 0 ? (chosen.size() == 1 ? chosen.get(0).toLowerCase(Locale.ROOT) : null) : c.substring(0, dot);
            if (table == null || !plaintextColumns.containsKey(table)) {
                err.println("warden keys reencrypt: --from-plaintext " + column + " names no table being re-encrypted"
                        + " (write TABLE.COLUMN; tables: " + String.join(", ", chosen) + ")");
                return 2;
            }
            plaintextColumns.get(table).add(c.substring(dot + 1));
        }
        Properties props = new Properties();
        try {
            if (user != null) props.setProperty("user", user);
            if (password != null) props.setProperty("password", GatewayConfig.resolveSecret(password, null));
        } catch (IllegalArgumentException e) {
            err.println("warden keys reencrypt: " + e.getMessage());
            return 2;
        }
        AuditSink trail;
        try {
            // opened before anything is read: a run the trail cannot record does not start
            trail = reencryption.openAuditTrail(auditTrail);
        } catch (SQLException e) {
            err.println("warden keys reencrypt: " + e.getMessage() + "; nothing was re-encrypted. To record this"
                    + " run in a trail of its own, give --audit-trail FILE");
            return 2;
        }
        if (trail == null) {
            err.println("warden keys reencrypt: the policy configures no audit trail: this run is not recorded");
        }
        try (Connection connection = DriverManager.getConnection(url, props)) {
            DatabaseUserWarning.check(connection, "warden keys reencrypt", err);
            for (Map.Entry<String, Set<String>> table : plaintextColumns.entrySet()) {
                Reencryption.Options options = new Reencryption.Options(table.getKey(), table.getValue(), batchSize, dryRun);
                Reencryption.Result result = reencryption.run(connection, options,
                        (rows, updated) -> out.printf("%s: %d rows scanned, %d %s%n", table.getKey(), rows, updated,
                                dryRun ? "to update" : "updated"), trail);
                print(out, result);
            }
        } catch (SQLException e) {
            // Warden's messages name table.column and the row's key, never a value; the batch in progress is rolled back
            err.println("warden keys reencrypt: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            err.println("batches committed before the error stay committed; fix the cause and run again to continue");
            closeTrail(trail, err);  // the failed run's record is in it
            return 1;
        }
        if (!closeTrail(trail, err)) return 1;
        if (trail != null) {
            out.println("recorded in the audit trail " + (auditTrail != null ? auditTrail : "of " + policy));
        }
        if (!dryRun) {
            out.println("when every protected table is re-encrypted, end the rotation with:"
                    + " warden keys retire --keyset <the policy's keyset> --yes");
        }
        return 0;
    }

    /** Closes (and so seals) the trail; false, with the reason printed, when its records could not be written. */
    private static boolean closeTrail(AuditSink trail, PrintWriter err) {
        if (trail == null) return true;
        try {
            trail.close();
            return true;
        } catch (RuntimeException e) {
            err.println("warden keys reencrypt: the audit trail could not be completed: " + e.getMessage());
            return false;
        }
    }

    private static void print(PrintWriter out, Reencryption.Result r) {
        out.printf("%s: %s%d rows scanned, %d rows %s in %d batch(es)%n", r.table(), r.dryRun() ? "dry run, " : "",
                r.rowsScanned(), r.rowsUpdated(), r.dryRun() ? "to update" : "updated", r.batches());
        for (Reencryption.ColumnCounts c : r.columns()) {
            out.printf("  %s: %d re-encrypted, %d encrypted from plaintext, %d already under the primary key,"
                    + " %d NULL%n", c.column(), c.reencrypted(), c.encryptedFromPlaintext(), c.alreadyCurrent(), c.nulls());
            if (c.indexed() > 0) out.printf("  %s_match: %d match index(es) written%n", c.column(), c.indexed());
        }
    }
}

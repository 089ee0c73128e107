package dev.warden.cli;

import dev.warden.audit.DatabaseAuditSink;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Where the trail is read from: JSON Lines files and directories, or the audit table over JDBC. */
final class AuditSourceOptions {

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Trail files or directories (every *.jsonl in them), read in trail order.")
    List<Path> paths = List.of();

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "Read the audit table of a database sink instead of files.")
    String jdbcUrl;

    @Option(names = "--jdbc-user", paramLabel = "USER",
            description = "Database user for --jdbc-url (password from env WARDEN_AUDIT_DB_PASSWORD).")
    String jdbcUser;

    @Option(names = "--table", paramLabel = "NAME", defaultValue = DatabaseAuditSink.DEFAULT_TABLE,
            description = "Audit table for --jdbc-url (default: ${DEFAULT-VALUE}).")
    String table;

    boolean fromDatabase() {
        return jdbcUrl != null;
    }

    /** Exactly one source: a usage error message, or null when fine. */
    String problem() {
        if (jdbcUrl != null && !paths.isEmpty()) {
            return "Give trail PATHs or --jdbc-url, not both";
        }
        if (jdbcUrl == null && paths.isEmpty()) {
            return "Missing trail: give PATH... or --jdbc-url";
        }
        return null;
    }

    Properties connectionProperties() {
        Properties p = new Properties();
        if (jdbcUser != null) {
            p.setProperty("user", jdbcUser);
        }
        String password = System.getenv("WARDEN_AUDIT_DB_PASSWORD");
        if (password != null) {
            p.setProperty("password", password);
        }
        return p;
    }
}

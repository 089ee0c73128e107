package dev.warden.cli;

import dev.warden.engine.CompanionSchema;
import dev.warden.gateway.GatewayConfig;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import dev.warden.policy.PolicyLoader;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden schema}: prints the DDL the policy's companion columns need ({@link CompanionSchema}), and with
 * {@code --apply} runs it on a plain JDBC connection, in one transaction.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = {"Print the DDL the policy needs beside the application's tables (companion columns of"
                + " match: true columns and their GIN indexes, of order: true columns and the warden.ore_compare"
                + " function, which needs pgcrypto); with --apply, run it.",
                "Then fill the companions of existing rows with warden keys reencrypt."})
final class SchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, description = "the policy file")
    String policy;

    @Option(names = "--url", description = "plain JDBC URL of the database (with --apply)")
    String url;

    @Option(names = "--user", description = "database user")
    String user;

    @Option(names = "--password", description = "database password reference: env:NAME or file:PATH")
    String password;

    @Option(names = "--apply", description = "run the DDL (needs --url)")
    boolean apply;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Policy loaded;
        try {
            loaded = PolicyLoader.load(policy);
        } catch (PolicyException e) {
            err.println("warden schema: " + e.getMessage());
            return 2;
        }
        List<String> statements = CompanionSchema.statements(loaded);
        if (!apply) {
            if (statements.isEmpty()) out.println("-- the policy needs no companion columns");
            if (statements.contains(CompanionSchema.PGCRYPTO)) {
                out.println("-- order: true columns are compared by warden.ore_compare, which needs the pgcrypto"
                        + " extension (trusted since PostgreSQL 13: the database owner may create it)");
            }
            for (String s : statements) out.println(s + ";");
            return 0;
        }
        if (url == null || url.startsWith("jdbc:warden:")) {
            err.println("warden schema: --apply needs --url, the plain JDBC URL of the database (without warden:)");
            return 2;
        }
        if (password != null && !password.startsWith("env:") && !password.startsWith("file:")) {
            err.println("warden schema: --password takes env:NAME or file:PATH, so that the password does not"
                    + " appear in the process list");
            return 2;
        }
        Properties props = new Properties();
        try {
            if (user != null) props.setProperty("user", user);
            if (password != null) props.setProperty("password", GatewayConfig.resolveSecret(password, null));
        } catch (IllegalArgumentException e) {
            err.println("warden schema: " + e.getMessage());
            return 2;
        }
        try (Connection connection = DriverManager.getConnection(url, props)) {
            if (statements.contains(CompanionSchema.PGCRYPTO)) {
                String problem = pgcryptoProblem(connection);
                if (problem != null) {
                    err.println("warden schema: " + problem + "; nothing was changed");
                    return 1;
                }
                if (pgcryptoInstalled(connection)) {
                    statements = statements.stream().filter(sql -> !sql.equals(CompanionSchema.PGCRYPTO)).toList();
                }
            }
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                    out.println(sql + ";");
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                if (statements.contains(CompanionSchema.PGCRYPTO) && "42501".equals(e.getSQLState())) {
                    err.println("warden schema: order indexes compare in the function warden.ore_compare, which needs"
                            + " the pgcrypto extension, and this user may not create it (" + e.getMessage() + "): run"
                            + " CREATE EXTENSION pgcrypto; in this database as its owner or a superuser, then warden"
                            + " schema --apply again; nothing was changed");
                    return 1;
                }
                throw e;
            }
        } catch (SQLException e) {
            err.println("warden schema: " + e.getMessage() + " (SQLState " + e.getSQLState() + "); nothing was changed");
            return 1;
        }
        return applied(out, statements);
    }

    /** Null when pgcrypto is installed or may be; else why the order functions cannot be created. */
    private static String pgcryptoProblem(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_catalog.pg_available_extensions"
                     + " WHERE name = 'pgcrypto'")) {
            if (rs.next()) return null;
        }
        return "order indexes compare in the function warden.ore_compare, which needs the pgcrypto extension, and this"
                + " server has none (pg_available_extensions): install PostgreSQL's contrib package on the server";
    }

    private static boolean pgcryptoInstalled(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto'")) {
            return rs.next();
        }
    }

    private int applied(PrintWriter out, List<String> statements) {
        out.println("applied " + statements.size() + " statement(s); fill the companions of existing rows with"
                + " warden keys reencrypt --policy " + policy + " --url ...");
        return 0;
    }
}

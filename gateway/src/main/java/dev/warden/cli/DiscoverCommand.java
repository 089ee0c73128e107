package dev.warden.cli;

import dev.warden.cli.discover.Discovery;
import dev.warden.cli.discover.Finding;
import dev.warden.cli.discover.PolicyProposal;
import dev.warden.cli.discover.SchemaScan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden discover}: finds the columns holding personal data in a live database ({@link Discovery}) and
 * proposes a policy for them ({@link PolicyProposal}). Prints table.column, kind and the share of sampled values
 * matched, never a value: not on stdout, not on stderr, not in the proposal.
 */
@Command(name = "discover", mixinStandardHelpOptions = true,
        description = {"Find the columns holding personal data (e-mail addresses, phone numbers, HKID numbers, card"
                + " numbers, IBANs by their values; passport numbers, dates of birth, names and addresses by the"
                + " column's name) and propose a policy for them.",
                "Prints each finding as table.column, kind and the share of sampled values that matched: never a value."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:scanned (findings or not)", "1:some tables could not be sampled",
                "2:usage or connection error"})
final class DiscoverCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--schema", paramLabel = "S", description = "scan this schema only (default: every schema but"
            + " the system's)")
    String schema;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "1000",
            description = "rows sampled per table (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--out", paramLabel = "FILE", description = "write the proposed policy here (default: stdout,"
            + " the findings then go to stderr)")
    Path out;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String problem = database.problem();
        if (problem != null) {
            err.println("warden discover: " + problem);
            return 2;
        }
        if (sample < 1) {
            err.println("warden discover: --sample must be at least 1");
            return 2;
        }
        Discovery found;
        try (Connection connection = database.connect()) {
            connection.setReadOnly(true);
            found = Discovery.run(connection, SchemaScan.read(connection, schema), sample);
        } catch (SQLException e) {
            err.println("warden discover: cannot read the database: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("warden discover: " + e.getMessage());
            return 2;
        }
        String source = "database " + database.describe() + (schema == null ? "" : ", schema " + schema)
                + ", " + sample + " rows sampled per table";
        String yaml = PolicyProposal.yaml(found.findings(), source, Instant.now());
        // the findings go where the proposal does not, so that `warden discover ... > policy.yaml` stays valid YAML
        PrintWriter report = out == null ? err : stdout;
        printFindings(report, found);
        if (out != null) {
            try {
                Files.writeString(out, yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("warden discover: cannot write " + out + ": " + e.getMessage());
                return 2;
            }
            stdout.println("wrote the proposed policy to " + out + "; review it, then: warden policy check --policy "
                    + out + " --url ...");
        } else {
            stdout.print(yaml);
        }
        stdout.flush();
        err.flush();
        return found.skipped().isEmpty() ? 0 : 1;
    }

    private static void printFindings(PrintWriter w, Discovery found) {
        List<Finding> findings = found.findings();
        w.println("scanned " + found.tablesScanned() + " table(s), " + found.columnsScanned() + " column(s): "
                + findings.size() + " column(s) with personal data");
        int width = 12;
        for (Finding f : findings) width = Math.max(width, f.qualifiedName().length());
        for (Finding f : findings) {
            w.printf("  %-" + width + "s  %-13s  %s%s%n", f.qualifiedName(), f.kind(), f.evidence(),
                    f.lookup() == null ? "" : "; " + f.lookup() + ": deterministic");
        }
        for (Discovery.Skipped s : found.skipped()) {
            w.println("  " + s.table() + ": could not be sampled (SQLState " + s.sqlState() + ")");
        }
    }
}

package dev.warden.cli;

import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainedEvent;
import dev.warden.audit.TrailVerification;
import dev.warden.cli.assess.Assessment;
import dev.warden.cli.assess.AssessmentPage;
import dev.warden.cli.check.PolicyCheck;
import dev.warden.engine.AuditTrails;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden assess}: a dated security assessment of a deployment ({@link Assessment}) as one self-contained
 * HTML page (or JSON): the policy check against the live database, the keys, the role × column matrix, an access
 * review and the verification of the audit trail. Counts, names and key ids; never a value.
 */
@Command(name = "assess", mixinStandardHelpOptions = true,
        description = {"Write a security assessment a reviewer can file: encryption coverage, keys, the role x column"
                + " matrix, an access review from the audit trail (unused grants, busiest readers, denials over time),"
                + " the trail's verification and the policy check's findings, as one self-contained HTML page."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written, no finding", "1:written, with findings (policy check errors, or a trail that"
                + " does not verify)", "2:usage or connection error"})
final class AssessCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "the policy file")
    Path policyFile;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--master-key", paramLabel = "REF", description = KeysCommand.MASTER_KEY_HELP)
    String masterKey;

    @Option(names = "--audit", required = true, arity = "1..*", paramLabel = "PATH",
            description = "audit trail files or directories (every *.jsonl in them)")
    List<Path> audit;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the report file to write")
    Path out;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "html", description = "html or json"
            + " (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--review-days", paramLabel = "N", defaultValue = "90", description = "a grant not used for"
            + " N days is listed for review (default: ${DEFAULT-VALUE})")
    int reviewDays;

    @Mixin
    CensusScopeOptions census = new CensusScopeOptions();

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("html") && !format.equals("json")) {
            err.println("warden assess: --format must be html or json");
            return 2;
        }
        if (reviewDays < 1 || census.sampleTooSmall()) {
            err.println("warden assess: --review-days and --sample must be at least 1");
            return 2;
        }
        String problem = database.problem();
        if (problem != null) {
            err.println("warden assess: " + problem);
            return 2;
        }
        PolicyCheckCommand.Loaded loaded = PolicyCheckCommand.load(policyFile, masterKey, "warden assess", err);
        if (loaded.exitCode() >= 0) return 2;  // an assessment of a policy that does not load says nothing
        SortedMap<String, List<ChainedEvent>> trail;
        try {
            trail = AuditTrailReader.readChains(audit);
        } catch (IOException | RuntimeException e) {
            err.println("warden assess: cannot read the audit trail: " + e.getMessage());
            return 2;
        }
        TrailVerification verification = null;
        String verificationProblem = null;
        if (loaded.keyset() == null) {
            verificationProblem = "the keyset (which holds the audit key) was not opened";
        } else {
            try {
                verification = new AuditVerifier(AuditTrails.chainKey(loaded.keyset())).verifyChains(audit, Map.of());
            } catch (IOException e) {
                verificationProblem = "the trail could not be read: " + e.getMessage();
            }
        }
        PolicyCheck.Scope scope = census.scope();
        PolicyCheck.Result check;
        try (Connection connection = database.connect()) {
            connection.setReadOnly(true);
            check = PolicyCheck.run(loaded.policy(), loaded.keyset(), loaded.keysetProblem(), connection, scope);
        } catch (SQLException e) {
            err.println("warden assess: cannot read the database: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("warden assess: " + e.getMessage());
            return 2;
        }
        Instant keysetWritten = null;
        try {
            if (loaded.policy().keysetPath() != null && Files.exists(loaded.policy().keysetPath())) {
                keysetWritten = Files.getLastModifiedTime(loaded.policy().keysetPath()).toInstant();
            }
        } catch (IOException e) {
            // shown as unknown
        }
        Assessment assessment = new Assessment(new Assessment.Inputs(policyFile.toString(), loaded.policy(),
                database.describe(), check, scope, loaded.keyset(), keysetWritten, trail, verification,
                verificationProblem, reviewDays, Instant.now().truncatedTo(ChronoUnit.SECONDS)));
        String rendered = format.equals("json") ? AssessmentPage.json(assessment) : AssessmentPage.html(assessment);
        try {
            Files.writeString(out, rendered, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("warden assess: cannot write " + out + ": " + e.getMessage());
            return 2;
        }
        stdout.println("wrote " + out + ": " + (assessment.clean() ? "no finding" : "findings") + "; audit trail "
                + assessment.verdict());
        stdout.flush();
        return assessment.clean() ? 0 : 1;
    }
}

package dev.warden.cli;

import dev.warden.cli.check.CheckFinding;
import dev.warden.cli.check.PolicyCheck;
import dev.warden.crypto.KeyException;
import dev.warden.crypto.MasterKey;
import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import dev.warden.policy.PolicyException;
import dev.warden.policy.PolicyLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warden policy check}: {@link PolicyCheck} from the command line. Prints one line per finding, naming the
 * policy file and line ({@code policy.yaml:14: error: ...}), then a total; counts, never a value.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a policy against the live database: tables and columns exist with a usable type,"
                + " companion columns are present, encrypted columns hold ciphertext under the keyset (plaintext"
                + " left behind is counted, never shown), the database user's powers, the audit trail's location."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:clean (warnings allowed)", "1:findings", "2:usage or connection error"})
final class PolicyCheckCommand implements Callable<Integer> {

    static final int CLEAN = 0;
    static final int FINDINGS = 1;
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--policy", required = true, paramLabel = "FILE", description = "the policy file")
    Path policyFile;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--master-key", paramLabel = "REF", description = KeysCommand.MASTER_KEY_HELP)
    String masterKey;

    @Mixin
    CensusScopeOptions census = new CensusScopeOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Loaded loaded = load(policyFile, masterKey, "warden policy check", err);
        if (loaded.exitCode() >= 0) return loaded.exitCode();
        String problem = database.problem();
        if (problem != null) {
            err.println("warden policy check: " + problem);
            return USAGE;
        }
        if (census.sampleTooSmall()) {
            err.println("warden policy check: --sample must be at least 1 (or give --full)");
            return USAGE;
        }
        PolicyCheck.Scope scope = census.scope();
        PolicyCheck.Result result;
        try (Connection connection = database.connect()) {
            connection.setReadOnly(true);
            result = PolicyCheck.run(loaded.policy(), loaded.keyset(), loaded.keysetProblem(), connection, scope);
        } catch (SQLException e) {
            err.println("warden policy check: cannot read the database: " + e.getMessage() + " (SQLState "
                    + e.getSQLState() + ")");
            return USAGE;
        } catch (IllegalArgumentException e) {
            err.println("warden policy check: " + e.getMessage());
            return USAGE;
        }
        print(out, result, scope);
        return result.clean() ? CLEAN : FINDINGS;
    }

    private void print(PrintWriter out, PolicyCheck.Result result, PolicyCheck.Scope scope) {
        long errors = 0;
        for (CheckFinding f : result.findings()) {
            out.println(f.render(policyFile.toString()));
            if (f.severity() == CheckFinding.Severity.ERROR) errors++;
        }
        long warnings = result.findings().size() - errors;
        out.println((errors == 0 ? "OK: " : "FAILED: ") + errors + " error(s), " + warnings + " warning(s); encrypted"
                + " columns' values checked in " + scope.describe() + " of each (" + result.counts().size()
                + " column(s))");
        out.flush();
    }

    /** A loaded policy and its keyset; {@code exitCode} is -1 when loading went far enough to check. */
    record Loaded(Policy policy, WardenKeyset keyset, String keysetProblem, int exitCode) {}

    /**
     * Loads the policy and opens its keyset, as {@code policy check} and {@code assess} need them: a policy that does
     * not load is a finding (exit 1, the loader's message names the line); a keyset file that does not exist yet is
     * a finding reported by the check; a keyset that exists but does not open is a usage error (exit 2).
     */
    static Loaded load(Path policyFile, String masterKey, String command, PrintWriter err) {
        if (!Files.isRegularFile(policyFile)) {
            err.println(command + ": policy file " + policyFile + " not found");
            return new Loaded(null, null, null, USAGE);
        }
        Policy policy;
        try {
            policy = PolicyLoader.load(policyFile.toString());
        } catch (PolicyException e) {
            err.println(e.getMessage());
            return new Loaded(null, null, null, FINDINGS);
        }
        boolean encrypts = policy.columns().stream().anyMatch(r -> r.encryption() != Encryption.NONE);
        if (!encrypts || policy.keysetPath() == null) return new Loaded(policy, null, null, -1);
        if (!Files.exists(policy.keysetPath())) {
            return new Loaded(policy, null, "does not exist (create it: warden keys create --out "
                    + policy.keysetPath() + ")", -1);
        }
        try {
            return new Loaded(policy, WardenKeyset.read(policy.keysetPath(), MasterKey.resolve(masterKey)), null, -1);
        } catch (KeyException e) {
            err.println(command + ": cannot open the keyset: " + e.getMessage());
            return new Loaded(policy, null, null, USAGE);
        }
    }
}

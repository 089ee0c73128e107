package dev.warden.cli;

import dev.warden.audit.AnchorFile;
import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainKey;
import dev.warden.audit.TrailVerification;
import dev.warden.crypto.KeyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warden audit verify PATH...}: checks every hash chain found (one per writing instance, each on its own)
 * and prints, per chain, its summary, head and findings, then a total line. Exit
 * code 0 when the trail is complete and untouched (warnings allowed: torn line after a crash, live trail),
 * 1 when there is evidence of tampering or loss, 2 for usage errors (including a key that cannot be opened).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify that the audit trail is complete and untouched.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:trail verified (warnings allowed)", "1:tampering or loss found",
                "2:usage error, or the key or trail cannot be read"})
public final class AuditVerifyCommand implements Callable<Integer> {

    static final int OK = 0;
    static final int TAMPERED = 1;
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    AuditSourceOptions source = new AuditSourceOptions();

    @Mixin
    AuditKeyOptions key = new AuditKeyOptions();

    @Option(names = "--live", description = "With --jdbc-url: the table is being written now, so a missing seal "
            + "is a warning, not an error.")
    boolean live;

    @Option(names = "--from-start", description = "The trail given must start at seq 1 (no files archived away).")
    boolean fromStart;

    @Option(names = "--expect-seq", paramLabel = "[CHAIN=]N", description = "A seq known to have been written to "
            + "chain CHAIN (e.g. a head printed by an earlier verify): a chain ending before it, or missing, is an "
            + "error. Repeatable; N alone when the trail has one chain.")
    List<String> expectSeq = new ArrayList<>();

    @Option(names = "--anchor", paramLabel = "FILE", description = "The anchor file the writers append their chain "
            + "heads to (policy audit.anchor): every chain it names must be present and reach its anchored head.")
    Path anchor;

    @Override
    public Integer call() {
        String problem = source.problem();
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ChainKey chainKey;
        try {
            chainKey = key.resolve();
        } catch (KeyException | IOException | RuntimeException e) {
            // exit 1 would read as "tampered": a key that cannot be opened is an input error
            err.println("warden audit verify: cannot open the audit key: " + e.getMessage());
            return USAGE;
        }
        if (chainKey == null) {
            throw new ParameterException(spec.commandLine(), "Missing key: give --keyset FILE (and --master-key REF)");
        }
        AuditVerifier verifier = new AuditVerifier(chainKey, fromStart);
        Map<String, AnchorFile.Head> anchors;
        try {
            anchors = anchor == null ? Map.of() : AnchorFile.read(anchor);
        } catch (IOException | RuntimeException e) {
            err.println("warden audit verify: cannot read the anchor: " + e.getMessage());
            return USAGE;
        }
        TrailVerification result;
        try {
            if (source.fromDatabase()) {
                String name = source.jdbcUrl.replaceAll("\\?.*", "") + " table " + source.table;
                result = new TrailVerification(new TreeMap<>(Map.of("table " + source.table, verifier.verifyLines(name,
                        AuditTrailReader.readTableLines(source.jdbcUrl, source.connectionProperties(), source.table),
                        live))));
            } else {
                result = verifier.verifyChains(source.paths, anchors);
            }
        } catch (IOException | SQLException e) {
            err.println("warden audit verify: cannot read the trail: " + e.getMessage());
            return USAGE;
        }
        for (String expected : expectSeq) {
            int eq = expected.lastIndexOf('=');
            String chain = eq < 0 ? null : expected.substring(0, eq);
            long seq;
            try {
                seq = Long.parseLong(expected.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--expect-seq " + expected + ": expected CHAIN=N or N");
            }
            if (chain == null) {
                if (result.chains().size() != 1) {
                    throw new ParameterException(spec.commandLine(), "--expect-seq " + expected + ": the trail has "
                            + result.chains().size() + " chains " + result.chains().keySet() + "; give CHAIN=N");
                }
                chain = result.chains().firstKey();
            }
            result = result.expectAtLeast(chain, seq);
        }
        out.print(result.render());
        out.flush();
        return result.ok() ? OK : TAMPERED;
    }
}

package dev.warden.cli;

import dev.warden.audit.AuditTrailReader;
import dev.warden.audit.AuditVerification;
import dev.warden.audit.AuditVerifier;
import dev.warden.audit.ChainKey;
import dev.warden.crypto.KeyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warden audit verify PATH...}: checks the hash chain and prints the summary and every finding. Exit
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

    @Option(names = "--expect-seq", paramLabel = "N", description = "A seq known to have been written (e.g. the "
            + "head printed by an earlier verify): a trail ending before it is an error.")
    Long expectSeq;

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
        AuditVerification result;
        try {
            if (source.fromDatabase()) {
                result = verifier.verifyLines(source.jdbcUrl.replaceAll("\\?.*", "") + " table " + source.table,
                        AuditTrailReader.readTableLines(source.jdbcUrl, source.connectionProperties(), source.table),
                        live);
            } else {
                result = verifier.verify(source.paths);
            }
        } catch (IOException | SQLException e) {
            err.println("warden audit verify: cannot read the trail: " + e.getMessage());
            return USAGE;
        }
        if (expectSeq != null) {
            result = result.expectAtLeast(expectSeq);
        }
        out.print(result.render());
        out.flush();
        return result.ok() ? OK : TAMPERED;
    }
}

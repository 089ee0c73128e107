package dev.warden.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code warden audit}: checks that the audit trail is complete and untouched ({@code verify}) and answers who
 * read or changed which protected columns ({@code report}). Registered as a subcommand of {@code warden}.
 */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Verify the audit trail's hash chain and report on protected column accesses.",
        subcommands = {AuditVerifyCommand.class, AuditReportCommand.class, AuditRowKeyCommand.class})
public final class AuditCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: verify or report");
    }
}

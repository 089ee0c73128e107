package dev.warden.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code warden policy}: commands about a policy file ({@code check}). Registered as a subcommand of {@code warden}. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Check a policy against a live database.",
        subcommands = {PolicyCheckCommand.class})
public final class PolicyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: check");
    }
}

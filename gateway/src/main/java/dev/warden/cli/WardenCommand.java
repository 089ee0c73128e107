package dev.warden.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code warden} command line: {@code java -jar warden.jar <command>}. */
@Command(name = "warden", mixinStandardHelpOptions = true, version = "warden 0.1.0-SNAPSHOT",
        description = "Warden: column encryption, masking and audit for PostgreSQL applications.",
        subcommands = {DemoCommand.class, ServeCommand.class, PasswdCommand.class, KeysCommand.class, SchemaCommand.class,
                DiscoverCommand.class, PolicyCommand.class, AssessCommand.class,
                AuditCommand.class, CommandLine.HelpCommand.class})
public final class WardenCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new WardenCommand()).execute(args));
    }
}

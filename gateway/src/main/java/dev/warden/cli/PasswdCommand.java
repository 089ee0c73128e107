package dev.warden.cli;

import dev.warden.gateway.auth.Md5Verifier;
import dev.warden.gateway.auth.ScramVerifier;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code warden passwd}: turns a password (prompted, or one line on stdin with {@code --password-stdin})
 * into a SCRAM-SHA-256 verifier in PostgreSQL's format for the gateway's {@code users:} section, or with
 * {@code --md5 --user NAME} into the legacy md5 verifier that {@code auth: md5} needs.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = "Print the SCRAM-SHA-256 (or with --md5, the md5) verifier of a password, for the gateway"
                + " configuration.")
public final class PasswdCommand implements Callable<Integer> {

    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean passwordStdin;

    @Option(names = "--iterations", defaultValue = "4096", description = "PBKDF2 iterations (default ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--md5", description = "Print the legacy md5 verifier (for auth: md5; needs --user). Prefer SCRAM.")
    boolean md5;

    @Option(names = "--user", description = "The user name the md5 verifier is salted with.")
    String user;

    @Override
    public Integer call() throws Exception {
        if (md5 && (user == null || user.isEmpty())) {
            System.err.println("warden passwd: --md5 needs --user NAME (md5 verifiers are salted with the user name)");
            return 2;
        }
        char[] password;
        if (passwordStdin) {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null) {
                System.err.println("warden passwd: no password on standard input");
                return 2;
            }
            password = line.toCharArray();
        } else {
            Console console = System.console();
            if (console == null) {
                System.err.println("warden passwd: no terminal; use --password-stdin");
                return 2;
            }
            password = console.readPassword("Password: ");
            char[] again = console.readPassword("Again: ");
            if (password == null || !Arrays.equals(password, again)) {
                System.err.println("warden passwd: passwords do not match");
                return 2;
            }
            Arrays.fill(again, '\0');
        }
        if (password.length == 0) {
            System.err.println("warden passwd: empty password");
            return 2;
        }
        if (iterations < 4096) {
            System.err.println("warden passwd: at least 4096 iterations");
            return 2;
        }
        System.out.println(md5 ? Md5Verifier.of(password, user).format()
                : ScramVerifier.generate(password, iterations).format());
        Arrays.fill(password, '\0');
        return 0;
    }

    /** Standalone entry point (the {@code warden} root command registers this as a subcommand). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new PasswdCommand()).execute(args));
    }
}

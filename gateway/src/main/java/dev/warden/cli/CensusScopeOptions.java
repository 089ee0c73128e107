package dev.warden.cli;

import dev.warden.cli.check.PolicyCheck;
import picocli.CommandLine.Option;

/**
 * How many rows of each encrypted column a command reads to count values left in plaintext ({@code --sample N},
 * {@code --full}), as {@code warden policy check} and {@code warden assess} take them.
 */
final class CensusScopeOptions {

    @Option(names = "--sample", paramLabel = "N", defaultValue = "10000", description = "read the first N rows of"
            + " each encrypted column (default: ${DEFAULT-VALUE})")
    long sample;

    @Option(names = "--full", description = "read every row of each encrypted column instead of a sample")
    boolean full;

    /** True when a sample was asked for and it is smaller than one row (a usage error). */
    boolean sampleTooSmall() {
        return !full && sample < 1;
    }

    PolicyCheck.Scope scope() {
        return full ? PolicyCheck.Scope.all() : new PolicyCheck.Scope(sample);
    }
}

package dev.warden.cli.check;

/**
 * One finding of {@code warden policy check}: an error (the policy and the database disagree; exit 1) or a
 * warning (advice that does not fail the check), with the policy line it concerns (0: none). Never holds a
 * value. Immutable.
 */
public record CheckFinding(Severity severity, int line, String message) {

    public enum Severity { ERROR, WARNING }

    /** {@code policy.yaml:14: error: ...}, as compilers write it, so that editors can jump to the line. */
    public String render(String policyFile) {
        return policyFile + (line > 0 ? ":" + line : "") + ": " + severity.name().toLowerCase(java.util.Locale.ROOT)
                + ": " + message;
    }
}

package dev.warden.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link WardenStartupException} into Boot's "APPLICATION FAILED TO START" report: Warden's own message
 * (file:line, role) as the description, the properties to fix as the action, without a stack trace to dig
 * through. Registered in {@code META-INF/spring.factories}.
 */
class WardenStartupFailureAnalyzer extends AbstractFailureAnalyzer<WardenStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WardenStartupException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the warden.* properties (warden.policy, warden.role, warden.purpose, warden.master-key) or the"
                        + " files they name, or set warden.enabled=false to start without Warden.", cause);
    }
}

package dev.warden.policy;

import java.util.List;
import java.util.Objects;

/**
 * The policy's {@code mode:} and {@code observe:} section. Immutable, thread-safe.
 *
 * @param mode         enforce (the default) or observe
 * @param callSiteSkip package prefixes whose stack frames are not the application's call site, beside the ones
 *                     Warden always skips (its own, JDBC, pools, common ORMs and frameworks); from
 *                     {@code observe.call-site-skip}
 */
public record Observation(Mode mode, List<String> callSiteSkip) {

    /** Enforce, no extra packages to skip: a policy without {@code mode:} or {@code observe:}. */
    public static final Observation ENFORCE = new Observation(Mode.ENFORCE, List.of());

    public Observation {
        Objects.requireNonNull(mode, "mode");
        callSiteSkip = List.copyOf(callSiteSkip);
    }

    /** True in observe mode: statements run as written, and what enforcement would change is only audited. */
    public boolean observes() {
        return mode == Mode.OBSERVE;
    }
}

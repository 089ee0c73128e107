package dev.warden.engine;

import dev.warden.crypto.WardenKeyset;
import dev.warden.policy.ColumnRule;
import dev.warden.policy.Encryption;
import dev.warden.policy.Policy;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a policy read from the file may replace the one a running engine uses. A reload may change every
 * rule that is decided per statement (roles, grants, masks, writers, filters, functions, new protected
 * columns, a plaintext column becoming encrypted), but not what was fixed when the engine started or what
 * stored data depends on:
 * <ul>
 *   <li>the keyset file and the {@code audit:} section (opened at start-up: a restart applies them);</li>
 *   <li>{@code mode:} from enforce to observe (it turns every protection off; a restart applies it), whereas
 *       observe to enforce is a reload like any other;</li>
 *   <li>how a column encrypted now is stored (its encryption and type): values written under it would no longer
 *       open, or would be shown as stored (ciphertext) if the column became plaintext or left the policy;</li>
 *   <li>a newly encrypted column needs a key in the keyset in use, and an engine that started without a keyset
 *       (its policy encrypted nothing) has none.</li>
 * </ul>
 * Stateless and thread-safe; messages name the file, line and table.column, never a value.
 */
final class PolicySuccession {

    private PolicySuccession() {}

    /**
     * @param keyset the keyset in use, or null when the engine opened none
     * @return why {@code next} may not replace {@code current}, or null when it may
     */
    static String whyNot(Policy current, Policy next, WardenKeyset keyset) {
        if (!current.observation().observes() && next.observation().observes()) {
            // a reload may raise protection (observe to enforce), never drop it all at once
            return "mode: the new policy switches from enforce to observe, which protects nothing; a reload never"
                    + " turns enforcement off: restart with the new policy to observe";
        }
        if (!Objects.equals(current.keysetPath(), next.keysetPath())) {
            return "keyset: the file changed from " + current.keysetPath() + " to " + next.keysetPath()
                    + "; another keyset file is opened only at start-up (restart to use it)";
        }
        if (!current.audit().equals(next.audit())) {
            return "audit: the section changed; the audit trail is opened at start-up (restart to apply it)";
        }
        for (ColumnRule was : current.columns()) {
            if (was.encryption() == Encryption.NONE) continue;
            Optional<ColumnRule> now = next.column(was.schema(), was.table(), was.column());
            String where = was.qualifiedName() + " (" + current.source() + " line " + was.line() + ")";
            if (now.isEmpty()) {
                return where + " is encrypted and the new policy no longer names it: its stored values would be shown"
                        + " as stored ciphertext; decrypt the column's data first, then restart with the new policy";
            }
            ColumnRule is = now.get();
            if (is.encryption() != was.encryption() || is.type() != was.type()) {
                return where + " is stored " + describe(was) + " and line " + is.line() + " of the new policy makes it "
                        + describe(is) + ": values stored under the policy in use would no longer open; migrate the"
                        + " data first, then restart with the new policy";
            }
            if (!is.cipherBinding().equals(was.cipherBinding())) {
                // a join group changes the associated data: the stored values would no longer open (XX001)
                return where + " is encrypted under " + was.cipherBinding() + " and line " + is.line() + " of the new"
                        + " policy binds it to " + is.cipherBinding() + " (join-group): values stored under the policy in"
                        + " use would no longer open; run warden keys reencrypt under the new policy, then restart";
            }
            if (is.match() && !was.match()) {
                return where + ": line " + is.line() + " of the new policy adds match: true, whose index must first be"
                        + " created (warden schema) and filled for existing rows (warden keys reencrypt); restart with"
                        + " the new policy once it is";
            }
        }
        for (ColumnRule rule : next.columns()) {
            if (rule.encryption() == Encryption.NONE) continue;
            Optional<ColumnRule> was = current.column(rule.schema(), rule.table(), rule.column());
            if (was.isPresent() && was.get().encryption() == rule.encryption()) continue;
            String where = rule.qualifiedName() + " (" + next.source() + " line " + rule.line() + ")";
            if (keyset == null) {
                return where + " is encrypted, but the policy in use encrypts nothing, so no keyset is open: restart"
                        + " to start encrypting";
            }
            try {
                if (rule.encryption() == Encryption.DETERMINISTIC) keyset.deterministic(rule.qualifiedName());
                else keyset.randomized(rule.qualifiedName());
            } catch (RuntimeException e) {
                return where + " is encrypted " + rule.encryption().name().toLowerCase(java.util.Locale.ROOT)
                        + ", for which the keyset in use has no key (" + e.getClass().getSimpleName() + ")";
            }
        }
        return null;
    }

    private static String describe(ColumnRule rule) {
        return rule.encryption() == Encryption.NONE ? "in plaintext"
                : "encrypted " + rule.encryption().name().toLowerCase(java.util.Locale.ROOT) + " as "
                + rule.type().name().toLowerCase(java.util.Locale.ROOT);
    }
}

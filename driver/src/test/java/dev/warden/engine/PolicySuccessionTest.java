package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.policy.Policy;
import dev.warden.policy.PolicyLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a reload may change in a running engine's policy, and what it may not (no database, no keyset file). */
class PolicySuccessionTest {

    private static final String BASE = """
            keyset: keys.json
            roles:
              support: {}
              analyst: {}
            tables:
              customers:
                email:
                  encrypt: deterministic
                  read: { support: plaintext, analyst: masked }
                  mask: email
                hkid:
                  encrypt: none
                  read: { support: plaintext }
            """;

    private static Policy policy(String yaml) throws Exception {
        return PolicyLoader.parse(yaml, "policy.yaml", Path.of("/tmp"));
    }

    @Test
    void rulesDecidedPerStatementMayChange() throws Exception {
        Policy next = policy(BASE.replace("analyst: masked", "analyst: plaintext")
                .replace("  analyst: {}\n", "  analyst: {}\n  auditor: {}\n"));
        assertNull(PolicySuccession.whyNot(policy(BASE), next, null));
        Policy withoutAnalyst = policy(BASE.replace("  analyst: {}\n", "").replace(", analyst: masked", ""));
        assertNull(PolicySuccession.whyNot(policy(BASE), withoutAnalyst, null), "a removed role is refused per session");
        Policy rulesOnlyColumnGone = policy(BASE.replace("""
                    hkid:
                      encrypt: none
                      read: { support: plaintext }
                """, ""));
        assertNull(PolicySuccession.whyNot(policy(BASE), rulesOnlyColumnGone, null), "plaintext in the database anyway");
    }

    @Test
    void aReloadMayEndObserveModeButNeverStartIt() throws Exception {
        String toObserve = PolicySuccession.whyNot(policy(BASE), policy("mode: observe\n" + BASE), null);
        assertTrue(toObserve != null && toObserve.startsWith("mode: ") && toObserve.contains("restart"), toObserve);
        assertNull(PolicySuccession.whyNot(policy("mode: observe\n" + BASE), policy(BASE), null), "observe to enforce");
        assertNull(PolicySuccession.whyNot(policy("mode: observe\n" + BASE),
                policy("mode: observe\n" + BASE.replace("analyst: masked", "analyst: plaintext")), null));
    }

    @Test
    void howAnEncryptedColumnIsStoredMayNot() throws Exception {
        String changed = PolicySuccession.whyNot(policy(BASE),
                policy(BASE.replace("encrypt: deterministic", "encrypt: randomized")), null);
        assertTrue(changed.contains("customers.email") && changed.contains("line 7") && changed.contains("randomized"),
                changed);
        String plain = PolicySuccession.whyNot(policy(BASE),
                policy(BASE.replace("encrypt: deterministic", "encrypt: none")), null);
        assertTrue(plain.contains("customers.email") && plain.contains("plaintext"), plain);
        String gone = PolicySuccession.whyNot(policy(BASE), policy(BASE.replace("""
                    email:
                      encrypt: deterministic
                      read: { support: plaintext, analyst: masked }
                      mask: email
                """, "")), null);
        assertTrue(gone.contains("customers.email") && gone.contains("no longer names it"), gone);
    }

    @Test
    void aJoinGroupOrAMatchIndexAddedUnderARunningEngineMayNot() throws Exception {
        String grouped = PolicySuccession.whyNot(policy(BASE),
                policy(BASE.replace("mask: email\n", "mask: email\n      join-group: emails\n")), null);
        assertTrue(grouped != null && grouped.contains("customers.email") && grouped.contains("join-group"),
                String.valueOf(grouped));
        String matched = PolicySuccession.whyNot(policy(BASE),
                policy(BASE.replace("mask: email\n", "mask: email\n      match: true\n")), null);
        assertTrue(matched != null && matched.contains("customers.email") && matched.contains("match: true"),
                String.valueOf(matched));
    }

    @Test
    void startUpSettingsAndKeysTheEngineLacksMayNot() throws Exception {
        String keyset = PolicySuccession.whyNot(policy(BASE), policy(BASE.replace("keys.json", "other.json")), null);
        assertTrue(keyset.startsWith("keyset:"), keyset);
        String audit = PolicySuccession.whyNot(policy(BASE), policy(BASE + "audit:\n  path: elsewhere.jsonl\n"), null);
        assertTrue(audit.startsWith("audit:"), audit);
        // the engine opened no keyset (here: none passed), so a column newly encrypted has no key
        String noKeys = PolicySuccession.whyNot(policy(BASE), policy(BASE.replace("""
                    encrypt: none
                """, """
                    encrypt: randomized
                """)), null);
        assertTrue(noKeys.contains("customers.hkid") && noKeys.contains("no keyset is open"), noKeys);
    }
}

package dev.warden.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team, session 8: the spellings of {@code mode:} that YAML allows. Each one either reads as exactly the mode
 * written ({@code observe} only when the file says observe as a plain value), or is refused with file:line:
 * never an odd spelling that ends up observing, nor one that silently falls back to a default.
 */
class RedTeamSession8ModeTest {

    private static final String BODY = """
            roles:
              analyst: {}
            tables:
              customers:
                hkid: { encrypt: none, read: { analyst: masked }, mask: last4 }
            """;

    @Test
    void oddSpellingsOfModeAreRefusedWithTheirLine() {
        for (String mode : List.of("mode: ENFORCE\n", "mode: Observe\n", "mode: OBSERVE\n", "mode:\n", "mode: ~\n",
                "mode: ''\n", "mode: [observe]\n", "mode: {observe: true}\n", "mode: enforce\nmode: observe\n",
                "mode: observe\nmode: enforce\n", "\"mode\": enforce\nmode: observe\n", "mode: 'observe '\n",
                "mode: observe # \n---\nmode: enforce\n", "<<: {mode: observe}\n", "? mode\n: [observe]\n",
                "mode: !!binary b2JzZXJ2ZQ==\n", "mode: \"\\u006fbserve\\u0000\"\n", "mode: enforce\u200b\n",
                "m\u200bode: observe\n")) {
            PolicyException e = assertThrows(PolicyException.class, () -> parse(BODY + mode), mode);
            assertTrue(e.getMessage().startsWith("policy.yaml:"), e.getMessage());
        }
    }

    @Test
    void theWordsAsWrittenReadAsTheirMode() throws Exception {
        assertFalse(parse(BODY).observation().observes());
        assertFalse(parse(BODY + "mode: enforce\n").observation().observes());
        assertFalse(parse(BODY + "mode: 'enforce'\n").observation().observes());
        assertFalse(parse("mode: &m enforce\n" + BODY + "observe: { call-site-skip: [com.acme] }\n")
                .observation().observes());
        assertTrue(parse(BODY + "mode: \"observe\"\n").observation().observes());
        assertTrue(parse(BODY + "mode: !!str observe\n").observation().observes());
        // an observe: section alone never turns observing on
        assertFalse(parse(BODY + "observe: { call-site-skip: [com.acme] }\n").observation().observes());
        assertFalse(parse(BODY + "observe: {}\n").observation().observes());
    }

    private static Policy parse(String yaml) throws PolicyException {
        return PolicyLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "policy.yaml", null);
    }
}

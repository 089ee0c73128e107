package dev.warden.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an engine (and a re-encryption) says when its policy does not load: the loader's message names the policy
 * itself, so the engine adds no prefix that would read "policy policy file …".
 */
class PolicyLoadMessagesTest {

    @TempDir
    Path dir;

    @Test
    void aMissingPolicyFileIsNamedOnce() {
        String missing = dir.resolve("missing.yaml").toString();
        SQLException engine = assertThrows(SQLException.class,
                () -> WardenEngine.open(new EngineConfig(missing, null), null));
        assertEquals("Warden: policy file '" + missing + "' not found", engine.getMessage());
        assertEquals(SqlStates.BAD_SESSION, engine.getSQLState());
        SQLException reencryption = assertThrows(SQLException.class,
                () -> Reencryption.open(new EngineConfig(missing, null)));
        assertEquals(engine.getMessage(), reencryption.getMessage());
    }

    @Test
    void aMalformedPolicyIsNamedByItsFileAndLine() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "roles: [\n");
        SQLException e = assertThrows(SQLException.class,
                () -> WardenEngine.open(new EngineConfig(policy.toString(), null), null));
        assertTrue(e.getMessage().startsWith("Warden: " + policy + ":2: malformed YAML"), e.getMessage());
    }
}

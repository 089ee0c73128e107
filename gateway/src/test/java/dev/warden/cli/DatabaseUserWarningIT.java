package dev.warden.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.gateway.GatewayConfig;
import dev.warden.testkit.EmbeddedPostgres;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code warden serve} checks its backend's user once at start-up and warns about a superuser. */
class DatabaseUserWarningIT {

    @Test
    void aSuperuserBackendIsWarnedAboutAndAnUnreachableOneIsLeftToTheDriver() {
        String url = EmbeddedPostgres.freshDatabase();
        StringWriter err = new StringWriter();
        DatabaseUserWarning.checkBackend(new GatewayConfig.Backend("jdbc:warden:" + url.substring("jdbc:".length()),
                EmbeddedPostgres.USER, null, 2, Map.of("warden.role", "support", "ApplicationName", "probe")),
                new PrintWriter(err, true));
        assertTrue(err.toString().startsWith("warden serve: warning: Warden: the database user 'postgres' is a"
                + " superuser"), err.toString());

        StringWriter none = new StringWriter();
        DatabaseUserWarning.checkBackend(new GatewayConfig.Backend("jdbc:postgresql://127.0.0.1:1/nothing",
                "postgres", null, 2, Map.of()), new PrintWriter(none, true));
        assertEquals("", none.toString());
    }
}

package dev.warden.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresSmokeIT {
    @Test
    void startsARealServerAndCreatesDatabases() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        try (Connection c = EmbeddedPostgres.rawConnection(url);
             ResultSet rs = c.createStatement().executeQuery("select 1 + 1")) {
            rs.next();
            assertEquals(2, rs.getInt(1));
        }
    }
}

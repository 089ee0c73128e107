package dev.warden.engine;

import dev.warden.crypto.OrderIndexSql;
import dev.warden.testkit.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link OrderIndexCapabilities} reads what a real PostgreSQL allows each user, and what it says is what then
 * happens: a superuser gets the index, a database owner-like user (CREATE on the database, pgcrypto trusted) can
 * create the functions but not the operator class (42501), a user without CREATE gets nothing until they exist,
 * and a normal user gets the index once a superuser has installed the operator class.
 */
class OrderIndexCapabilitiesIT {

    private static Connection as(String url, String user) throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    @Test
    void eachUserIsToldWhatTheDatabaseAllowsThemAndItIsSo() throws Exception {
        String url = EmbeddedPostgres.freshDatabase();
        String database = url.substring(url.lastIndexOf('/') + 1);
        String suffix = Long.toString(System.nanoTime(), 36);
        String creator = "ore_creator_" + suffix;
        String reader = "ore_reader_" + suffix;
        try (Connection admin = EmbeddedPostgres.rawConnection(url); Statement s = admin.createStatement()) {
            s.execute("CREATE ROLE " + creator + " LOGIN");
            s.execute("CREATE ROLE " + reader + " LOGIN");
            s.execute("GRANT CREATE ON DATABASE " + database + " TO " + creator);
            OrderIndexCapabilities superuser = OrderIndexCapabilities.detect(admin);
            assertTrue(superuser.superuser());
            assertEquals(OrderIndexCapabilities.Option.INDEX, superuser.option(), superuser.describe());
            assertFalse(superuser.operatorClassInstalled());
        }

        try (Connection c = as(url, reader)) {
            OrderIndexCapabilities nothing = OrderIndexCapabilities.detect(c);
            assertEquals(OrderIndexCapabilities.Option.NONE, nothing.option());
            assertTrue(nothing.describe().contains("no right to create in schema warden"), nothing.describe());
            SQLException e = assertThrows(SQLException.class, () -> c.createStatement().execute(OrderIndexSql.functions()));
            assertEquals("42501", e.getSQLState(), "and indeed it cannot create them: " + e.getMessage());
        }

        try (Connection c = as(url, creator)) {
            OrderIndexCapabilities functions = OrderIndexCapabilities.detect(c);
            assertFalse(functions.superuser());
            assertTrue(functions.pgcryptoCreatable(), "pgcrypto is trusted: CREATE on the database is enough");
            assertEquals(OrderIndexCapabilities.Option.FUNCTIONS, functions.option(), functions.describe());
            c.createStatement().execute(OrderIndexSql.functions());
            assertTrue(OrderIndexCapabilities.detect(c).functionsInstalled());
            SQLException e = assertThrows(SQLException.class, () -> c.createStatement().execute(OrderIndexSql.operatorClass()));
            assertEquals("42501", e.getSQLState(), "the operator class needs a superuser: " + e.getMessage());
        }

        try (Connection c = as(url, reader)) {
            assertEquals(OrderIndexCapabilities.Option.NONE, OrderIndexCapabilities.detect(c).option(),
                    "the functions exist, but this user may not use schema warden");
        }
        try (Connection c = as(url, creator)) {
            c.createStatement().execute("GRANT USAGE ON SCHEMA warden TO " + reader);
        }
        try (Connection c = as(url, reader)) {
            assertEquals(OrderIndexCapabilities.Option.FUNCTIONS, OrderIndexCapabilities.detect(c).option(),
                    "the functions exist and may be used");
        }

        try (Connection admin = EmbeddedPostgres.rawConnection(url)) {
            admin.createStatement().execute(OrderIndexSql.operatorClass());
        }
        try (Connection c = as(url, creator)) {
            OrderIndexCapabilities index = OrderIndexCapabilities.detect(c);
            assertTrue(index.operatorClassInstalled());
            assertEquals(OrderIndexCapabilities.Option.INDEX, index.option(), index.describe());
            assertTrue(index.describe().contains("installed"), index.describe());
            // and the index works for this user
            Statement s = c.createStatement();
            s.execute("CREATE TABLE t (o warden.ore_block)");
            s.execute("CREATE INDEX t_o ON t (o)");
        }
    }
}

package dev.warden.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.warden.testkit.CustomersExample;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** Frameworks used unchanged on a jdbc:warden: URL: Flyway migrations and Spring's JdbcTemplate. */
class FrameworksIT {

    private static DriverManagerDataSource dataSource(CustomersExample db, String role, String purpose) {
        DriverManagerDataSource ds = new DriverManagerDataSource(db.wardenUrl());
        ds.setConnectionProperties(CustomersExample.properties(role, purpose));
        return ds;
    }

    @Test
    void flywayMigratesThroughWardenAndDataMigrationsAreEncrypted() throws SQLException {
        CustomersExample db = CustomersExample.create();
        var result = Flyway.configure().dataSource(dataSource(db, "support", "customer-service"))
                .locations("classpath:db/migration").baselineOnMigrate(true).baselineVersion("0").load().migrate();
        assertTrue(result.success);
        assertEquals(2, result.migrationsExecuted);

        JdbcTemplate raw = new JdbcTemplate(new DriverManagerDataSource(db.rawUrl(), "postgres", ""));
        assertEquals(0, raw.queryForObject(
                "SELECT count(*) FROM customers WHERE encode(email, 'escape') LIKE '%seed%'", Integer.class));
        JdbcTemplate support = new JdbcTemplate(dataSource(db, "support", "customer-service"));
        assertEquals("seed@example.com", support.queryForObject(
                "SELECT email FROM customers WHERE name = ?", String.class, "Seed Customer"));
    }

    @Test
    void flywayMigratesTheProtectedTableThroughWardenDataSource() {
        CustomersExample db = CustomersExample.create();
        WardenDataSource warden = new WardenDataSource(new DriverManagerDataSource(db.rawUrl(), "postgres", ""),
                CustomersExample.POLICY.toString(), "support");
        warden.setPurpose("customer-service");
        warden.setMasterKey("file:" + CustomersExample.MASTER_KEY);
        var result = Flyway.configure().dataSource(warden)
                .locations("classpath:db/protected-migration").baselineOnMigrate(true).baselineVersion("0").load().migrate();
        assertTrue(result.success);
        assertEquals(2, result.migrationsExecuted);

        JdbcTemplate raw = new JdbcTemplate(new DriverManagerDataSource(db.rawUrl(), "postgres", ""));
        assertEquals(List.of("customers_email", "customers_tier"), raw.queryForList(
                "SELECT indexname FROM pg_indexes WHERE indexname IN ('customers_email', 'customers_tier') ORDER BY 1",
                String.class));
        assertEquals("Loyalty tier", raw.queryForObject(
                "SELECT col_description(attrelid, attnum) FROM pg_attribute"
                        + " WHERE attrelid = 'customers'::regclass AND attname = 'tier'", String.class));
        assertEquals(0, raw.queryForObject(
                "SELECT count(*) FROM customers WHERE encode(email, 'escape') LIKE '%gold%'", Integer.class));
        JdbcTemplate support = new JdbcTemplate(dataSource(db, "support", "customer-service"));
        assertEquals("silver", support.queryForObject(
                "SELECT tier FROM customers WHERE email = ?", String.class, "gold@example.com"));
    }

    @Test
    void jdbcTemplateQueriesUpdatesAndRefusals() {
        CustomersExample db = CustomersExample.create();
        JdbcTemplate billing = new JdbcTemplate(dataSource(db, "billing", "order-processing"));
        billing.update("INSERT INTO customers (name, email, card_number) VALUES (?, ?, ?)",
                "Kim", "kim@example.com", "5500005555555559");
        Map<String, Object> row = billing.queryForMap(
                "SELECT name, email, card_number FROM customers WHERE email = ?", "kim@example.com");
        assertEquals("Kim", row.get("name"));
        assertEquals("kim@example.com", row.get("email"));
        assertEquals("5500005555555559", row.get("card_number"));

        List<String> masked = new JdbcTemplate(dataSource(db, "analyst", null))
                .queryForList("SELECT email FROM customers", String.class);
        assertEquals(List.of("k**@example.com"), masked);

        DataAccessException refused = assertThrows(DataAccessException.class,
                () -> billing.queryForList("SELECT name FROM customers WHERE email LIKE ?", "kim%"));
        SQLException cause = (SQLException) refused.getMostSpecificCause();
        assertEquals("0A000", cause.getSQLState());
        assertFalse(cause.getMessage().contains("kim@example.com"));
    }
}

package dev.warden.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import dev.warden.jdbc.WardenExceptionOverride;
import dev.warden.spring.boot.shop.ShopApplication;
import dev.warden.testkit.CustomersExample;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.jdbc.DataSourceHealthIndicator;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole Spring Boot application started on embedded PostgreSQL with only {@code application.properties}-style
 * settings: its JdbcTemplate reads and writes protected columns through Warden, the database holds ciphertext,
 * refusals keep the pool's connection, and Boot still sees the HikariCP pool with the application's settings.
 */
@SpringBootTest(classes = ShopApplication.class)
class WardenStarterIT {

    private static final CustomersExample DB = CustomersExample.create();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", DB::rawUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        // one connection, so that "the pool kept its connection" is one backend process id
        registry.add("spring.datasource.hikari.maximum-pool-size", () -> "1");
        registry.add("spring.datasource.hikari.pool-name", () -> "shop");
        registry.add("warden.policy", CustomersExample.POLICY::toString);
        registry.add("warden.role", () -> "support");
        registry.add("warden.purpose", () -> "customer-service");
        registry.add("warden.master-key", () -> "file:" + CustomersExample.MASTER_KEY);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSourcePoolMetadataProvider poolMetadata;

    @Test
    void jdbcTemplateWritesCiphertextAndReadsPlaintextForTheAllowedRole() throws SQLException {
        assertThat(dataSource).isInstanceOf(WardenDelegatingDataSource.class);
        jdbc.update("INSERT INTO customers (name, email, phone) VALUES (?, ?, ?)",
                "Ann", "ann@starter.example", "555-0101");

        assertThat(jdbc.queryForObject("SELECT email FROM customers WHERE name = ?", String.class, "Ann"))
                .isEqualTo("ann@starter.example");
        // deterministic equality: the parameter is encrypted and compared as ciphertext by the database
        assertThat(jdbc.queryForObject("SELECT phone FROM customers WHERE email = ?", String.class,
                "ann@starter.example")).isEqualTo("555-0101");

        try (Connection raw = DB.raw(); ResultSet rs = raw.createStatement().executeQuery(
                "SELECT email, phone FROM customers WHERE name = 'Ann'")) {
            assertThat(rs.next()).isTrue();
            String email = new String(rs.getBytes(1), StandardCharsets.ISO_8859_1);
            String phone = new String(rs.getBytes(2), StandardCharsets.ISO_8859_1);
            assertThat(email).doesNotContain("ann@").doesNotContain("starter");
            assertThat(phone).doesNotContain("555").doesNotContain("0101");
        }
    }

    @Test
    void refusalsReachTheApplicationAndThePoolKeepsItsConnection() {
        int backend = jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class);

        // Warden's refusals: support may not write card numbers (billing's), nor sort by an expression of an encrypted column.
        // Warden sits outside the pool here, so these never pass through HikariCP's proxies
        assertThatThrownBy(() -> jdbc.update("INSERT INTO customers (name, card_number) VALUES ('Bo', '4111111111111111')"))
                .isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("42501"));
        assertThatThrownBy(() -> jdbc.queryForList("SELECT name FROM customers ORDER BY lower(email)"))
                .isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("0A000"));
        // the database's own 0A000 (no protected table: passed through) does pass through HikariCP, which would
        // evict the connection for it without the WardenExceptionOverride the starter gave the pool
        assertThatThrownBy(() -> jdbc.queryForList("SELECT DISTINCT customer_id FROM orders FOR UPDATE"))
                .isInstanceOf(DataAccessException.class)
                .satisfies(e -> assertThat(sqlState(e)).isEqualTo("0A000"));

        assertThat(jdbc.queryForObject("SELECT pg_backend_pid()", Integer.class)).isEqualTo(backend);
        HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class);
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(1);
    }

    @Test
    void bootStillSeesTheApplicationsHikariPool() {
        HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class);
        assertThat(pool).isNotNull();
        assertThat(pool.getPoolName()).isEqualTo("shop");
        assertThat(pool.getMaximumPoolSize()).isEqualTo(1);
        assertThat(pool.getExceptionOverrideClassName()).isEqualTo(WardenExceptionOverride.class.getName());

        // what the DataSource health indicator and the jdbc.connections.* metrics read
        DataSourcePoolMetadata metadata = poolMetadata.getDataSourcePoolMetadata(dataSource);
        assertThat(metadata).isNotNull();
        assertThat(metadata.getMax()).isEqualTo(1);
        // built as Boot's health contributor builds it: the pool's validation query (none: isValid) through Warden
        DataSourceHealthIndicator health = new DataSourceHealthIndicator(dataSource, metadata.getValidationQuery());
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);

        // the standard JDBC way to the pool stays closed, as on WardenDataSource
        assertThatThrownBy(() -> dataSource.unwrap(HikariDataSource.class))
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("0A000"));
    }

    private static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) return sql.getSQLState();
        }
        return null;
    }
}

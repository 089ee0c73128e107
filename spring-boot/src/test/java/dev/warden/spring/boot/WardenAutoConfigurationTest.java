package dev.warden.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfigMXBean;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import dev.warden.jdbc.WardenExceptionOverride;
import dev.warden.testkit.CustomersExample;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.sql.SQLException;
import javax.sql.DataSource;
import dev.warden.spring.boot.shop.ShopApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.DataSourceUnwrapper;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy;
import org.springframework.jdbc.datasource.lookup.AbstractRoutingDataSource;

/**
 * When the auto-configuration wraps which DataSource, what it keeps of the pool, and how a misconfiguration
 * stops the application. No database: a HikariCP pool connects at its first use, and Warden checks its
 * settings (policy, keyset, master key, role) without connecting.
 */
@ExtendWith(OutputCaptureExtension.class)
class WardenAutoConfigurationTest {

    private static final String MASTER_KEY = "warden.master-key=file:" + CustomersExample.MASTER_KEY;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, WardenAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/never-connected",
                    "spring.datasource.username=app");

    private ApplicationContextRunner withWarden(String... more) {
        return runner.withPropertyValues("warden.policy=" + CustomersExample.POLICY, "warden.role=support",
                "warden.purpose=customer-service", MASTER_KEY).withPropertyValues(more);
    }

    @Test
    void withoutAPolicyTheDataSourceIsUntouched() {
        runner.withPropertyValues("warden.role=support").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(WardenProperties.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
            assertThat(context.getBean(HikariDataSource.class).getExceptionOverrideClassName()).isNull();
        });
    }

    @Test
    void disabledLeavesTheDataSourceUnwrapped() {
        withWarden("warden.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(WardenDataSourcePostProcessor.class);
            assertThat(context.getBean(DataSource.class)).isInstanceOf(HikariDataSource.class);
        });
    }

    @Test
    void wrapsThePoolAndKeepsItsConfiguration() {
        withWarden("spring.datasource.hikari.maximum-pool-size=7", "spring.datasource.hikari.pool-name=orders")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DataSource dataSource = context.getBean(DataSource.class);
                    assertThat(dataSource).isInstanceOf(WardenDelegatingDataSource.class);
                    HikariDataSource pool = hikariBehind(dataSource);
                    assertThat(pool.getMaximumPoolSize()).isEqualTo(7);
                    assertThat(pool.getPoolName()).isEqualTo("orders");
                    assertThat(pool.getExceptionOverrideClassName()).isEqualTo(WardenExceptionOverride.class.getName());
                    assertThat(dataSource.isWrapperFor(HikariDataSource.class)).isFalse();
                    assertThatThrownBy(() -> dataSource.unwrap(HikariDataSource.class))
                            .isInstanceOf(SQLException.class).hasMessageContaining("bypass the policy");
                    assertThatThrownBy(dataSource::createConnectionBuilder).isInstanceOf(SQLException.class);
                });
    }

    @Test
    void keepsTheApplicationsOwnExceptionOverride() {
        withWarden("spring.datasource.hikari.exception-override-class-name=" + EvictNothing.class.getName())
                .run(context -> assertThat(hikariBehind(context.getBean(DataSource.class)).getExceptionOverrideClassName())
                        .isEqualTo(EvictNothing.class.getName()));
    }

    @Test
    void aMissingPolicyFileStopsTheStart() {
        Path missing = CustomersExample.DIRECTORY.resolve("no-such-policy.yaml");
        withWarden("warden.policy=" + missing).run(context -> assertStartFailed(context, missing.toString()));
    }

    @Test
    void aPolicyErrorStopsTheStartWithItsFileAndLine() throws IOException {
        Path directory = CustomersExample.newPolicyDirectoryWith("mask: email", "mask: emial");
        Path policy = directory.resolve("policy.yaml");
        int line = lineOf(policy, "mask: emial");
        withWarden("warden.policy=" + policy, "warden.master-key=file:" + directory.resolve("demo-master-key.txt"))
                .run(context -> assertStartFailed(context, policy + ":" + line));
    }

    @Test
    void aMissingRoleStopsTheStart() {
        runner.withPropertyValues("warden.policy=" + CustomersExample.POLICY, MASTER_KEY)
                .run(context -> assertStartFailed(context, "no role given", "warden.role"));
    }

    @Test
    void anApplicationStartStopsWithWardensReport(CapturedOutput output) {
        SpringApplication application = new SpringApplicationBuilder(ShopApplication.class)
                .web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF)
                .properties("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/never-connected",
                        "warden.policy=" + CustomersExample.POLICY, "warden.role=auditor", MASTER_KEY)
                .build();
        assertThatThrownBy(application::run).hasRootCauseInstanceOf(SQLException.class);
        // Boot's failure report, through the analyzer registered in META-INF/spring.factories
        assertThat(output).contains("APPLICATION FAILED TO START", "unknown role 'auditor' in " + CustomersExample.POLICY,
                "Fix the warden.* properties");
    }

    @Test
    void aRoleOrPurposeThePolicyDoesNotKnowStopsTheStart() {
        withWarden("warden.role=auditor").run(context -> assertStartFailed(context, "unknown role 'auditor'"));
        withWarden("warden.purpose=marketing").run(context -> assertStartFailed(context, "purpose 'marketing'"));
    }

    @Test
    void aPoolOfWardenUrlsIsNotWrappedTwice() {
        withWarden("spring.datasource.url=jdbc:warden:postgresql://127.0.0.1:1/shop",
                "spring.datasource.driver-class-name=dev.warden.jdbc.WardenDriver")
                .run(context -> assertStartFailed(context, "already connects through the jdbc:warden: driver"));
    }

    @Test
    void namedDataSourceBeansAreTheOnlyOnesWrapped() {
        withWarden("warden.data-source-beans=shop").withUserConfiguration(TwoDataSources.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("shop")).isInstanceOf(WardenDelegatingDataSource.class);
            assertThat(context.getBean("reports")).isInstanceOf(SimpleDriverDataSource.class);
        });
        withWarden().withUserConfiguration(TwoDataSources.class).run(context -> {
            assertThat(context.getBean("shop")).isInstanceOf(WardenDelegatingDataSource.class);
            assertThat(context.getBean("reports")).isInstanceOf(WardenDelegatingDataSource.class);
        });
    }

    @Test
    void aProxyBeanOverTheWrappedPoolIsNotWrappedAgain() {
        withWarden().withUserConfiguration(PoolAndTransactionAwareProxy.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("pool")).isInstanceOf(WardenDelegatingDataSource.class);
            TransactionAwareDataSourceProxy proxy = context.getBean(TransactionAwareDataSourceProxy.class);
            assertThat(proxy.getTargetDataSource()).isSameAs(context.getBean("pool"));
        });
    }

    @Test
    void aRoutingDataSourceOverWrappedBeansStopsTheStart() {
        withWarden().withUserConfiguration(RoutingOverTwoPools.class)
                .run(context -> assertStartFailed(context, "'router' routes to DataSource beans that Warden wraps",
                        "warden.data-source-beans"));
        withWarden("warden.data-source-beans=router").withUserConfiguration(RoutingOverTwoPools.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("router")).isInstanceOf(WardenDelegatingDataSource.class);
            assertThat(context.getBean("primary")).isInstanceOf(HikariDataSource.class);
        });
    }

    @Test
    void aMisspeltDataSourceBeanNameStopsTheStart() {
        withWarden("warden.data-source-beans=shpo").withUserConfiguration(TwoDataSources.class)
                .run(context -> assertStartFailed(context, "warden.data-source-beans names 'shpo'"));
    }

    @Test
    void isRegisteredAsAnAutoConfigurationWithPropertyMetadata() throws IOException {
        assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
                .contains(WardenAutoConfiguration.class.getName());
        // written by spring-boot-configuration-processor at compile time: what IDEs complete
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("configuration metadata").isNotNull();
            String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String property : new String[] {"warden.enabled", "warden.policy", "warden.role", "warden.purpose",
                    "warden.master-key", "warden.data-source-beans"}) {
                assertThat(metadata).contains("\"name\": \"" + property + "\"");
            }
            assertThat(metadata).contains("env:NAME or file:PATH");
        }
    }

    private static void assertStartFailed(AssertableApplicationContext context, String... messageParts) {
        assertThat(context).hasFailed();
        Throwable failure = context.getStartupFailure();
        FailureAnalysis analysis = new WardenStartupFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("Warden's failure analysis of %s", failure).isNotNull();
        assertThat(analysis.getDescription()).contains(messageParts);
        assertThat(analysis.getAction()).contains("warden.enabled=false");
    }

    private static HikariDataSource hikariBehind(DataSource dataSource) {
        HikariDataSource pool = DataSourceUnwrapper.unwrap(dataSource, HikariConfigMXBean.class, HikariDataSource.class);
        assertThat(pool).as("the HikariCP pool Boot finds behind %s", dataSource).isNotNull();
        return pool;
    }

    private static int lineOf(Path file, String text) throws IOException {
        var lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) return i + 1;
        }
        throw new IllegalStateException(text + " not in " + file);
    }

    /** An application's own override, which Warden must not replace. */
    public static final class EvictNothing implements SQLExceptionOverride {
        @java.lang.Override
        public Override adjudicate(SQLException e) {
            return Override.DO_NOT_EVICT;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PoolAndTransactionAwareProxy {
        @Bean
        DataSource pool() {
            return new HikariDataSource();
        }

        @Bean
        TransactionAwareDataSourceProxy transactionAware(DataSource pool) {
            return new TransactionAwareDataSourceProxy(pool);
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class RoutingOverTwoPools {
        @Bean
        DataSource primary() {
            return new HikariDataSource();
        }

        @Bean
        DataSource replica() {
            return new HikariDataSource();
        }

        @Bean
        @Primary
        DataSource router(DataSource primary, DataSource replica) {
            AbstractRoutingDataSource router = new AbstractRoutingDataSource() {
                @java.lang.Override
                protected Object determineCurrentLookupKey() {
                    return "primary";
                }
            };
            router.setTargetDataSources(Map.of("primary", primary, "replica", replica));
            return router;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoDataSources {
        @Bean
        DataSource shop() {
            return new HikariDataSource();
        }

        @Bean
        DataSource reports() {
            return new SimpleDriverDataSource();
        }
    }
}

package dev.warden.gateway;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.conditions.ArchPredicates.are;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import dev.warden.gateway.backend.PgjdbcInternals;
import org.junit.jupiter.api.Test;

/**
 * The gateway is layered like a protocol stack (as pgjdbc keeps {@code core/v3} under {@code jdbc}):
 * <pre>
 *   dev.warden.gateway (server, configuration, preflight, login audit)   dev.warden.cli
 *     transport (Netty pipeline, per-session socket thread)
 *       session (simple/extended query, COPY, notifications, transaction state)
 *         backend (the JDBC connection to the database; the only home of pgjdbc)
 *           auth (users, verifiers, SCRAM, failure limiter)
 *             wire (frames, messages, codecs: the JDK and Netty buffers only)
 *   admin (the /metrics and /health HTTP listener; used by the server only, uses no other layer)
 * </pre>
 * Each layer uses only layers below it; a lower layer that needs to call up gets an interface
 * ({@code SessionLauncher}, {@code SessionRegistry}, {@code RefusedLogins}). The engine is reached through its
 * session interface ({@code EngineSession}), never through the JDBC wrappers' classes; pgjdbc's internals are
 * read in one adapter only ({@code PgjdbcInternals}).
 */
class GatewayLayersTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.warden.gateway", "dev.warden.cli");

    private static final String GATEWAY = "dev.warden.gateway";
    private static final String WIRE = GATEWAY + ".wire..";
    private static final String AUTH = GATEWAY + ".auth..";
    private static final String TRANSPORT = GATEWAY + ".transport..";
    private static final String BACKEND = GATEWAY + ".backend..";
    private static final String SESSION = GATEWAY + ".session..";
    private static final String ADMIN = GATEWAY + ".admin..";
    private static final String CLI = "dev.warden.cli..";

    @Test
    void layersDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("server").definedBy(GATEWAY)
                .layer("cli").definedBy(CLI)
                .layer("transport").definedBy(TRANSPORT)
                .layer("session").definedBy(SESSION)
                .layer("backend").definedBy(BACKEND)
                .layer("auth").definedBy(AUTH)
                .layer("wire").definedBy(WIRE)
                .layer("admin").definedBy(ADMIN)
                .whereLayer("server").mayOnlyBeAccessedByLayers("cli")
                // the admin listener knows no session: the server hands it a registry to scrape and probes to run
                .whereLayer("admin").mayOnlyBeAccessedByLayers("server")
                .whereLayer("transport").mayOnlyBeAccessedByLayers("server")
                .whereLayer("session").mayOnlyBeAccessedByLayers("transport", "server")
                .whereLayer("backend").mayOnlyBeAccessedByLayers("session", "server", "cli")
                // users are the authenticated identity: sessions act for one, backend connections carry its role
                .whereLayer("auth").mayOnlyBeAccessedByLayers("transport", "session", "backend", "server", "cli")
                .whereLayer("wire").mayOnlyBeAccessedByLayers("transport", "session", "backend", "auth", "server", "cli")
                .check(CLASSES);
    }

    @Test
    void wireUsesOnlyTheJdkAndNettyBuffers() {
        classes().that().resideInAPackage(WIRE)
                .should(ArchConditions.onlyHaveDependenciesWhere(DescribedPredicate.<Dependency>describe(
                        "the target is in wire, the JDK or Netty's buffers and codec base classes",
                        GatewayLayersTest::inWireOrJdkOrNetty)))
                .check(CLASSES);
    }

    private static boolean inWireOrJdkOrNetty(Dependency d) {
        return resideInAnyPackage(WIRE, "java..", "javax..", "io.netty.buffer..", "io.netty.util..",
                "io.netty.handler.codec..", "io.netty.channel").test(d.getTargetClass());
    }

    /** The one allowed exception to a rule, the adapter below, fails when no longer needed, so it cannot linger. */
    @Test
    void theAdapterStillNeedsItsException() {
        assertTrue(CLASSES.get(PgjdbcInternals.class).getDirectDependenciesFromSelf().stream()
                        .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("org.postgresql.core")
                                || d.getTargetClass().getPackageName().startsWith("org.postgresql.jdbc")),
                "PgjdbcInternals no longer uses pgjdbc internals: drop pgjdbcInternalsOnlyInTheAdapter");
    }

    @Test
    void onlyTheBackendLayerAndTheCliUsePgjdbc() {
        noClasses().that().resideOutsideOfPackages(BACKEND, CLI)
                .should().dependOnClassesThat().resideInAPackage("org.postgresql..")
                .check(CLASSES);
    }

    /**
     * The gateway talks to the engine through {@link dev.warden.engine.EngineSession} (obtained with
     * {@code connection.unwrap(EngineSession.class)}) and to the database through the java.sql API: no method of
     * the JDBC wrappers is the gateway's, so none can grow into an escape hatch for it.
     */
    @Test
    void noGatewayClassUsesTheJdbcWrappers() {
        noClasses().should().dependOnClassesThat().resideInAPackage("dev.warden.jdbc..").check(CLASSES);
    }

    /**
     * pgjdbc's internals (anything outside its public {@code org.postgresql} API: {@code core}, {@code jdbc}
     * implementation classes) change without notice between versions, so the gateway reads them in one adapter,
     * {@link PgjdbcInternals} (RowDescription fields, ParameterDescription OIDs, a plain backend's transaction
     * status), which {@code PgjdbcInternalsTest} pins.
     */
    @Test
    void pgjdbcInternalsOnlyInTheAdapter() {
        noClasses().that(are(DescribedPredicate.not(belongToAnyOf(PgjdbcInternals.class))))
                .should().dependOnClassesThat().resideInAnyPackage("org.postgresql.core..", "org.postgresql.jdbc..")
                .check(CLASSES);
    }
}

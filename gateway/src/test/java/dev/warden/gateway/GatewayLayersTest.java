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
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.conditions.ArchConditions;
import dev.warden.engine.ServerErrorFields;
import dev.warden.gateway.backend.BackendTransaction;
import dev.warden.gateway.backend.PgjdbcInternals;
import dev.warden.gateway.backend.ResultColumns;
import dev.warden.gateway.backend.PgjdbcCopyRunner;
import dev.warden.gateway.wire.ErrorFields;
import java.util.List;
import java.util.Set;
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
 * </pre>
 * Each layer uses only layers below it; a lower layer that needs to call up gets an interface
 * ({@code SessionLauncher}, {@code SessionRegistry}, {@code RefusedLogins}). Known exceptions are allow-listed
 * here by class, each marked "issue 11: to remove", so a new one fails the build.
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
                .whereLayer("server").mayOnlyBeAccessedByLayers("cli")
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
                        "the target is in wire, the JDK or Netty's buffers and codec base classes", d ->
                                inWireOrJdkOrNetty(d) || errorFieldsReadsTheServerFields(d))))
                .check(CLASSES);
    }

    private static boolean inWireOrJdkOrNetty(Dependency d) {
        return resideInAnyPackage(WIRE, "java..", "javax..", "io.netty.buffer..", "io.netty.util..",
                "io.netty.handler.codec..", "io.netty.channel").test(d.getTargetClass());
    }

    /**
     * issue 11: to remove. {@code ErrorFields.fromException} turns an SQLException into wire fields through the
     * engine's {@link ServerErrorFields}: that translation belongs to the session layer.
     */
    private static boolean errorFieldsReadsTheServerFields(Dependency d) {
        return d.getOriginClass().isEquivalentTo(ErrorFields.class)
                && d.getTargetClass().isEquivalentTo(ServerErrorFields.class);
    }

    /** An allow-list entry that is no longer needed fails too, so the list only shrinks. */
    @Test
    void everyAllowListEntryIsStillNeeded() {
        assertTrue(CLASSES.get(ErrorFields.class).getDirectDependenciesFromSelf().stream()
                        .anyMatch(GatewayLayersTest::errorFieldsReadsTheServerFields),
                "ErrorFields no longer reads ServerErrorFields: drop it from wireUsesOnlyTheJdkAndNettyBuffers");
        for (Class<?> adapter : List.of(BackendTransaction.class, PgjdbcInternals.class)) {
            assertTrue(CLASSES.get(adapter).getDirectDependenciesFromSelf().stream()
                            .anyMatch(d -> d.getTargetClass().getPackageName().startsWith("org.postgresql.core")
                                    || d.getTargetClass().getPackageName().startsWith("org.postgresql.jdbc")),
                    adapter.getSimpleName() + " no longer uses pgjdbc internals: drop it from the allow-list");
        }
        for (Class<?> caller : List.of(PgjdbcCopyRunner.class, BackendTransaction.class, ResultColumns.class,
                EXTENDED_QUERY)) {
            assertTrue(CLASSES.get(caller).getMethodCallsFromSelf().stream().anyMatch(GatewayLayersTest::isEscapeHatch),
                    caller.getSimpleName() + " no longer calls a JDBC-wrapper escape hatch: drop it from the allow-list");
        }
    }

    @Test
    void onlyTheBackendLayerAndTheCliUsePgjdbc() {
        noClasses().that().resideOutsideOfPackages(BACKEND, CLI)
                .should().dependOnClassesThat().resideInAPackage("org.postgresql..")
                .check(CLASSES);
    }

    @Test
    void onlyBackendAndSessionUseTheJdbcWrappers() {
        noClasses().that().resideOutsideOfPackages(BACKEND, SESSION)
                .should().dependOnClassesThat().resideInAPackage("dev.warden.jdbc..")
                .check(CLASSES);
    }

    /**
     * pgjdbc's internals (anything outside its public {@code org.postgresql} API: {@code core}, {@code jdbc}
     * implementation classes) change without notice between versions. issue 11: to remove, into one adapter
     * that a test pins: {@link BackendTransaction} (BaseConnection's transaction state) and
     * {@link PgjdbcInternals} (PgResultSetMetaData's private {@code fields} and PgParameterMetaData's {@code oids}, read by reflection, pinned by PgjdbcInternalsTest).
     */
    @Test
    void pgjdbcInternalsOnlyInTheKnownAdapters() {
        noClasses().that(are(DescribedPredicate.not(belongToAnyOf(BackendTransaction.class, PgjdbcInternals.class))))
                .should().dependOnClassesThat().resideInAnyPackage("org.postgresql.core..", "org.postgresql.jdbc..")
                .check(CLASSES);
    }

    /** The session's extended query protocol (package-private in the session layer, so named here). */
    private static final Class<?> EXTENDED_QUERY = sessionClass("ExtendedQuery");

    private static Class<?> sessionClass(String simpleName) {
        try {
            return Class.forName(SESSION.replace("..", ".") + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("the session layer has no class " + simpleName, e);
        }
    }

    /** Methods the JDBC wrappers grew for the gateway, not part of a narrow engine session interface. */
    private static final Set<String> JDBC_ESCAPE_HATCHES = Set.of(
            "unwrapForCopy", "transactionStatus", "mustBePreparedAgain", "unwrapDriverMetaData", "attributeTo");

    /**
     * issue 11: to remove, once the gateway talks to the engine through its session interface:
     * {@link PgjdbcCopyRunner} (unwrapForCopy), {@link BackendTransaction} (transactionStatus),
     * {@link ResultColumns} (unwrapDriverMetaData), the session's {@code ExtendedQuery} (mustBePreparedAgain).
     */
    @Test
    void jdbcWrapperEscapeHatchesOnlyWhereTheyAreToday() {
        noClasses().that(are(DescribedPredicate.not(belongToAnyOf(PgjdbcCopyRunner.class, BackendTransaction.class,
                        ResultColumns.class, EXTENDED_QUERY))))
                .should().callMethodWhere(DescribedPredicate.describe("a JDBC-wrapper escape hatch",
                        GatewayLayersTest::isEscapeHatch))
                .check(CLASSES);
    }

    private static boolean isEscapeHatch(JavaMethodCall call) {
        return call.getTargetOwner().getPackageName().startsWith("dev.warden.jdbc")
                && JDBC_ESCAPE_HATCHES.contains(call.getName());
    }
}

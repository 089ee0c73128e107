package dev.warden;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The four components (policy, sql, crypto, audit) do not know each other; only the engine composes them,
 * and the JDBC wrappers call only the engine. Metrics is a leaf the engine records into, and Micrometer (an
 * optional dependency) is named by one binding class only.
 */
class ComponentBoundariesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.warden");

    private static final String[] COMPONENTS = {"policy", "sql", "crypto", "audit"};

    @Test
    void componentsDoNotImportEachOther() {
        for (String component : COMPONENTS) {
            for (String other : COMPONENTS) {
                if (other.equals(component)) continue;
                ArchRule rule = noClasses().that().resideInAPackage("dev.warden." + component + "..")
                        .should().dependOnClassesThat().resideInAPackage("dev.warden." + other + "..");
                rule.check(CLASSES);
            }
            noClasses().that().resideInAPackage("dev.warden." + component + "..")
                    .should().dependOnClassesThat().resideInAnyPackage("dev.warden.engine..", "dev.warden.jdbc..")
                    .check(CLASSES);
        }
    }

    @Test
    void metricsIsALeafOnlyTheEngineRecordsInto() {
        noClasses().that().resideInAPackage("dev.warden.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.warden.policy..", "dev.warden.sql..",
                        "dev.warden.crypto..", "dev.warden.audit..", "dev.warden.engine..", "dev.warden.jdbc..")
                .check(CLASSES);
        noClasses().that().resideInAnyPackage("dev.warden.policy..", "dev.warden.sql..", "dev.warden.crypto..",
                        "dev.warden.audit..", "dev.warden.jdbc..")
                .should().dependOnClassesThat().resideInAPackage("dev.warden.metrics..")
                .check(CLASSES);
    }

    @Test
    void onlyTheMicrometerBindingNamesMicrometer() {
        // the driver must load without Micrometer: MetricsExport reaches the binding only after checking it is there
        noClasses().that().doNotHaveFullyQualifiedName("dev.warden.metrics.MicrometerBinding")
                .and().doNotHaveFullyQualifiedName("dev.warden.metrics.MetricsExport$GlobalRegistry")
                .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
                .check(CLASSES);
    }

    @Test
    void jdbcWrappersCallOnlyTheEngine() {
        noClasses().that().resideInAPackage("dev.warden.jdbc..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.warden.policy..", "dev.warden.sql..", "dev.warden.crypto..", "dev.warden.audit..")
                .check(CLASSES);
    }
}

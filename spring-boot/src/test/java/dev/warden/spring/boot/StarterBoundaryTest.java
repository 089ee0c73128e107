package dev.warden.spring.boot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The starter is a client of the driver's public JDBC API (WardenDataSource, WardenExceptionOverride) and nothing
 * deeper: configuration, not a second place where Warden's rules or engine are wired.
 */
class StarterBoundaryTest {

    private static final JavaClasses STARTER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.warden.spring");

    @Test
    void usesOnlyTheDriversJdbcApi() {
        noClasses().that().resideInAPackage("dev.warden.spring..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.warden.engine..", "dev.warden.policy..",
                        "dev.warden.sql..", "dev.warden.crypto..", "dev.warden.audit..")
                .check(STARTER);
    }
}
